# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Abrir no Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/03_upsampling_e_perdas.ipynb)

# %%
# Google Colab: instala o curso e (se você quiser) guarda os dados no seu Drive.
# Fora do Colab esta célula só escolhe a língua das mensagens do curso.
USAR_DRIVE = False  # True: dados do curso em MyDrive/fcn_course_data no seu Google Drive
import importlib.util, os.path, subprocess, sys
os.environ['FCN_COURSE_LANG'] = 'pt_BR'  # a língua das mensagens deste notebook
if "google.colab" in sys.modules:
    if importlib.util.find_spec("fcn_course") is None:
        install = subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                                  "git+https://github.com/fcn-course/fcn-course"])
        if install.returncode != 0:
            raise RuntimeError(
                "Não consegui instalar o curso de https://github.com/fcn-course/fcn-course (a "
                "mensagem do pip, acima, diz por quê). Confira a conexão com a internet e se esse "
                "endereço abre no navegador: o Colab não instala de um repositório privado. Depois "
                "rode esta célula de novo."
            )
    from fcn_course.colab import setup_colab
    setup_colab(use_drive=USAR_DRIVE)

# %% [markdown]
# <!-- generated from solutions/notebooks/03_upsampling_e_perdas.py; edit that file, then run python -m fcn_course.instructor build -->
# # 03 · Upsampling aprendido e classes desequilibradas (Exercícios 4 e 5)
#
# Para consultar a qualquer momento: a [referência rápida](referencia.md) reúne formas, fórmulas e um glossário
# português ↔ inglês. No Colab, o link acima não abre (lá o notebook fica sozinho, sem os outros arquivos do
# curso): use a [mesma página no GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/referencia.md),
# que é o arquivo `notebooks/referencia.md` do repositório.
#
# No notebook 02 você montou e treinou a FCN-AlexNet. Ela amplia os mapas com `F.interpolate`, uma conta
# fixa, e trata todo pixel igual na perda. Aqui vamos mexer nessas duas escolhas.
#
# Primeiro, a ampliação. Vamos trocar a interpolação por uma camada com pesos, a **convolução
# transposta**. Você vai calcular a saída dela à mão, entender de onde vem o nome e descobrir sozinho
# qual *kernel* amplia a imagem na medida certa.
#
# Depois, o desequilíbrio. O fundo ocupa a maior parte dos pixels. Vamos ver dois jeitos de dar mais
# voz às classes raras: pesos de classe e a perda de Dice.
#
# **Ao final deste notebook você consegue**
#
# 1. calcular à mão a saída de uma convolução transposta e o tamanho dela, com e sem *padding*;
# 2. explicar por que ela se chama "transposta", escrevendo a convolução como uma matriz;
# 3. prever quando aparece o padrão de xadrez e explicar a causa;
# 4. deduzir o *kernel* e o *padding* que ampliam um mapa exatamente $s$ vezes, para $s$ par e ímpar, e
#    montar a camada que começa bilinear (**Exercício 4**);
# 5. calcular pesos de classe pela mediana das frequências e escrever a perda de Dice sem contar o
#    *void* (**Exercício 5**).
#
# **Quanto tempo leva.**
#
# * **Tempo de estudo: ~70 min**: ler com calma (cerca de 25 min), fazer as contas à mão junto com as
#   células, resolver os exercícios 4 e 5 e escrever a previsão e a pergunta A. Cabe numa aula de 100
#   minutos, com folga para a dedução do exercício 4.
# * **Tempo de máquina**: este notebook não treina nenhuma rede. No perfil `demo` ele deve rodar em uns
#   20 s numa CPU de 2 núcleos (estimativa, não medida: é a parte do antigo notebook 02 que veio para cá).
#   Quem mede o efeito destas escolhas no treino é o notebook 05.

# %% [markdown]
# ## Preparação
#
# As mesmas configurações dos notebooks anteriores: hiperparâmetros, dispositivo e `DataLoader`s. A
# saída da célula diz qual perfil está rodando (`full`, `demo` ou `smoke`; veja o notebook 01).

# %%
import torch
import torch.nn.functional as F
from torch import nn

from fcn_course import checks, plots, quiz
from fcn_course.backbones import ALEXNET_CHANNELS, bilinear_kernel
from fcn_course.config import course_args, seed_everything
from fcn_course.data import make_loaders, prepare_data
from fcn_course.definitions import load_definitions
from fcn_course.engine import count_parameters
from fcn_course.messages import thousands  # 3060547 -> "3.060.547", grouped as the notebook's language writes it

# %%
# %matplotlib inline

args = course_args()
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one
train_loader, val_loader = make_loaders(args)

# %% [markdown]
# ### A sua FCN-AlexNet, do notebook 02
#
# O exercício 4 troca uma peça da **sua** `FCN_AlexNet`. Não precisa copiar a classe para cá: a função
# `load_definitions` lê o arquivo `02_fcn_alexnet.ipynb` (na mesma pasta deste notebook) e roda só as
# células que definem coisas. Nada é treinado de novo. Se você corrigir a classe no notebook 02, salve-o
# e rode esta célula outra vez.

# %%
FCN_AlexNet = load_definitions("02_fcn_alexnet.ipynb", names=["FCN_AlexNet"])["FCN_AlexNet"]
print("loaded from 02_fcn_alexnet.ipynb: FCN_AlexNet")

# %% [markdown]
# ## Convolução transposta: ampliar com pesos
#
# Até aqui, todo *upsampling* do curso foi `F.interpolate`, uma operação sem pesos. O exercício 4 troca
# uma dessas interpolações por uma camada que tem pesos, a **convolução transposta**
# (`nn.ConvTranspose2d`). Antes, vamos ver o que ela calcula, com números pequenos o bastante para
# conferir à mão.
#
# ### Um exemplo feito à mão
#
# A regra, para um *kernel* $k\times k$ e *stride* $s$, sem *padding*: cada pixel $x_{ij}$ da entrada
# deixa na saída um "carimbo", uma cópia do *kernel* multiplicada por $x_{ij}$, com o canto de cima à
# esquerda na posição $(s\,i,\ s\,j)$. Onde dois carimbos caem no mesmo pixel, os valores se somam.
#
# Tome a entrada $2\times2$, o *kernel* $3\times3$ e o *stride* abaixo:
#
# $$ X = \begin{bmatrix} 1 & 2\\ 3 & 4 \end{bmatrix}, \qquad
#    K = \begin{bmatrix} 0 & 1 & 0\\ 1 & 2 & 1\\ 0 & 1 & 0 \end{bmatrix}, \qquad s = 2. $$
#
# Os quatro carimbos são $1\cdot K$ nas linhas 0 a 2 e colunas 0 a 2, $2\cdot K$ nas linhas 0 a 2 e
# colunas 2 a 4, $3\cdot K$ nas linhas 2 a 4 e colunas 0 a 2, e $4\cdot K$ nas linhas 2 a 4 e colunas 2
# a 4. A saída tem, portanto, $5\times5$ pixels. Como $k = 3$ é maior que $s = 2$, os carimbos vizinhos
# se sobrepõem na linha 2 e na coluna 2:
#
# * o pixel (1, 2) fica na última coluna do carimbo de $x_{00} = 1$ (peso $K_{1,2} = 1$) e na primeira
#   do carimbo de $x_{01} = 2$ (peso $K_{1,0} = 1$): $1\cdot1 + 2\cdot1 = 3$;
# * pela mesma conta, o pixel (3, 2) vale $3 + 4 = 7$, o (2, 1) vale $1 + 3 = 4$ e o (2, 3) vale
#   $2 + 4 = 6$;
# * o pixel central (2, 2) é um canto dos quatro carimbos, e os cantos de $K$ valem 0: a soma é 0.
#
# Os demais pixels recebem um carimbo só; por exemplo, o (1, 1) vale $1\cdot K_{1,1} = 2$ e o (3, 3)
# vale $4\cdot K_{1,1} = 8$. O resultado:
#
# $$ Y = \begin{bmatrix} 0 & 1 & 0 & 2 & 0\\ 1 & 2 & 3 & 4 & 2\\ 0 & 4 & 0 & 6 & 0\\
#                         3 & 6 & 7 & 8 & 4\\ 0 & 3 & 0 & 4 & 0 \end{bmatrix}. $$
#
# A célula abaixo faz a mesma conta com `F.conv_transpose2d` e com uma camada `nn.ConvTranspose2d`
# (na camada, o peso tem a forma `[canais de entrada, canais de saída, k, k]`).

# %%
# NBVAL_CHECK_OUTPUT
def print_grid(name, tensor):
    """Print a small 2-D map [1, 1, H, W] as rows of integers."""
    print(name)
    for row in tensor[0, 0].round().int().tolist():
        print("   ", " ".join(f"{value:3d}" for value in row))


small_input = torch.tensor([[1.0, 2.0],
                            [3.0, 4.0]]).view(1, 1, 2, 2)
small_kernel = torch.tensor([[0.0, 1.0, 0.0],
                             [1.0, 2.0, 1.0],
                             [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)

stamped = F.conv_transpose2d(small_input, small_kernel, stride=2)
print_grid("F.conv_transpose2d(X, K, stride=2):", stamped)

layer = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, bias=False)
with torch.no_grad():
    layer.weight.copy_(small_kernel)
    print("the nn.ConvTranspose2d layer gives the same map:", torch.equal(layer(small_input), stamped))

# %% [markdown]
# ### O tamanho da saída
#
# Ao longo de um eixo, o último carimbo começa na posição $(n_{in} - 1)\,s$ e ocupa $k$ pixels. Sem
# *padding*, então, a saída tem $(n_{in} - 1)\,s + k$ pixels: no exemplo, $(2 - 1)\cdot 2 + 3 = 5$.
# Na convolução transposta, o `padding` $p$ não acrescenta zeros: ele **recorta** $p$ pixels de cada
# lado dessa saída completa. Já o `output_padding` acrescenta pixels num lado só (embaixo e à direita).
# Juntando tudo (é a fórmula da documentação do PyTorch, com dilatação 1):
#
# $$ n_{out} = (n_{in} - 1)\,s - 2p + k + \texttt{output\_padding}. $$
#
# Para que serve o `output_padding`? Uma convolução com *stride* maior que 1 leva tamanhos diferentes
# ao mesmo tamanho: com $k = 3$, $s = 2$ e $p = 1$, entradas de 5 e de 6 pixels viram 3. A transposta,
# que faz o caminho de volta, precisa saber qual dos dois tamanhos você quer: sem `output_padding`,
# $(3 - 1)\cdot2 - 2 + 3 = 5$; com `output_padding=1`, 6.
#
# No caso das FCNs, o objetivo é ampliar exatamente $s$ vezes. Com $s$ par, *kernel* $k = 2s$ e
# $p = s/2$, a fórmula dá $(n_{in} - 1)\,s - s + 2s = s\,n_{in}$: é a camada que conferimos contra
# `F.interpolate` no notebook 02, na seção da interpolação bilinear ($k = 4$, $s = 2$, $p = 1$: de 8 para
# 16 pixels). No exercício 4 você vai usar a fórmula também para um fator ímpar.

# %%
# NBVAL_CHECK_OUTPUT
def transposed_output_size(n_in, kernel, stride, padding=0, output_padding=0):
    """Side of the output of a transposed convolution (dilation 1), as in PyTorch's documentation."""
    return (n_in - 1) * stride - 2 * padding + kernel + output_padding


for n_in, kernel, stride, padding, output_padding in [(2, 3, 2, 0, 0), (2, 3, 2, 1, 0), (3, 3, 2, 1, 0),
                                                      (3, 3, 2, 1, 1), (8, 4, 2, 1, 0)]:
    measured = F.conv_transpose2d(torch.ones(1, 1, n_in, n_in), torch.ones(1, 1, kernel, kernel),
                                  stride=stride, padding=padding, output_padding=output_padding)
    print(f"n_in={n_in} k={kernel} s={stride} p={padding} output_padding={output_padding}: "
          f"formula {transposed_output_size(n_in, kernel, stride, padding, output_padding)}, "
          f"PyTorch {measured.shape[-1]}")

for n_in in (5, 6):
    shrunk = F.conv2d(torch.ones(1, 1, n_in, n_in), torch.ones(1, 1, 3, 3), stride=2, padding=1)
    print(f"the convolution k=3 s=2 p=1 takes {n_in} pixels to {shrunk.shape[-1]}")

print_grid("padding=1 crops one pixel from each side of Y:",
           F.conv_transpose2d(small_input, small_kernel, stride=2, padding=1))

# %%
quiz.ask("transposed-size")

# %% [markdown]
# ### Por que "transposta": a convolução como uma matriz
#
# Uma convolução é uma operação linear, e toda operação linear é a multiplicação por uma matriz. Numa
# dimensão, com *kernel* $w = (w_0, w_1, w_2)$ e *stride* 2, uma entrada de 5 números vira uma saída de
# 2, com $y_0 = w_0 x_0 + w_1 x_1 + w_2 x_2$ e $y_1 = w_0 x_2 + w_1 x_3 + w_2 x_4$. Em forma de matriz:
#
# $$ y = C\,x, \qquad C = \begin{bmatrix} w_0 & w_1 & w_2 & 0 & 0\\ 0 & 0 & w_0 & w_1 & w_2 \end{bmatrix}. $$
#
# A matriz $C$ tem forma $2\times5$: **reduz** 5 números a 2. A transposta $C^\top$ tem forma $5\times2$
# e faz o caminho contrário, de 2 números para 5. Cada coluna de $C^\top$ é o *kernel* deslocado de 2
# posições, ou seja, $C^\top y$ é a soma dos carimbos $y_0\,w$ e $y_1\,w$: exatamente a regra do exemplo
# acima. Daí o nome: com o mesmo *kernel* e o mesmo *stride*, a convolução transposta multiplica por
# $C^\top$ (é o ponto de vista do livro *Dive into Deep Learning*, §14.10,
# <https://d2l.ai/chapter_computer-vision/transposed-conv.html>).
#
# Dois cuidados:
#
# * $C^\top$ devolve o **tamanho** da entrada da convolução, não os **valores**: em geral $C^\top C\,x \ne
#   x$. O nome "deconvolução" (*deconvolution*), que o artigo das FCNs também usa (§3.3), engana: esta
#   camada não desfaz uma convolução.
# * Multiplicar por $C^\top$ é também o que o *backward* de uma convolução faz para levar o gradiente da
#   saída até a entrada. O artigo chama a operação de *backwards convolution* por isso.
#
# A célula abaixo monta $C$ coluna a coluna (a coluna $j$ é a convolução aplicada ao vetor que tem 1 na
# posição $j$ e 0 no resto) e confere as duas afirmações; depois faz o mesmo com o exemplo 2-D acima.

# %%
# NBVAL_CHECK_OUTPUT
def convolution_matrix(conv, input_shape):
    """The matrix C of a linear map `conv` (a function of one tensor): column j is conv(e_j), flattened."""
    size = torch.Size(input_shape).numel()
    basis = torch.eye(size).view(size, *input_shape)  # e_0, e_1, ... as inputs of shape input_shape
    return torch.stack([conv(e).flatten() for e in basis], dim=1)


w_1d = torch.tensor([1.0, 2.0, 3.0]).view(1, 1, 3)
C = convolution_matrix(lambda e: F.conv1d(e.view(1, 1, -1), w_1d, stride=2), (5,))
print("C (2x5):", C.int().tolist())

y_1d = torch.tensor([1.0, 10.0])
transposed_1d = F.conv_transpose1d(y_1d.view(1, 1, 2), w_1d, stride=2).flatten()
print("C^T y:                        ", (C.T @ y_1d).int().tolist())
print("F.conv_transpose1d(y, w, s=2):", transposed_1d.int().tolist())

# The gradient that flows back through the convolution is C^T times the gradient of its output.
x_1d = torch.randn(5, requires_grad=True)
(F.conv1d(x_1d.view(1, 1, 5), w_1d, stride=2).flatten() * y_1d).sum().backward()
print("backward of conv1d is C^T y too:", torch.allclose(x_1d.grad, C.T @ y_1d))

# The same in 2-D: the convolution (k=3, stride 2) maps 5x5 to 2x2, so C is 4x25.
C2 = convolution_matrix(lambda e: F.conv2d(e.view(1, 1, 5, 5), small_kernel, stride=2), (5, 5))
print("2-D example: C is", tuple(C2.shape), "and C^T X equals Y:",
      torch.equal((C2.T @ small_input.flatten()).view(1, 1, 5, 5), stamped))

# %% [markdown]
# ## Exercício 4: *upsampling* aprendido
#
# Até aqui, a rede amplia os mapas com `F.interpolate(..., mode="bilinear")`, uma operação **fixa**: não
# tem pesos. O artigo das FCNs usa a **convolução transposta** da seção anterior (`nn.ConvTranspose2d`),
# com *stride* $s$, que amplia o mapa $s$ vezes e *tem* pesos (§3.3). Se o *kernel* for uma "tenda"
# bilinear, ela faz a interpolação bilinear (longe das bordas); se os pesos forem treinados, a
# ampliação pode aprender a respeitar as bordas dos objetos. No artigo, as ampliações intermediárias de 2× começam bilineares e
# são aprendidas, e a última ampliação (até o tamanho da imagem) fica fixa (§4.2).

# %% [markdown]
# **Previsão (antes de rodar).** Uma convolução transposta com *kernel* $k$ e *stride* $s$ copia cada
# pixel de entrada, multiplicado pelo *kernel*, numa janela $k\times k$ da saída; janelas de pixels
# vizinhos ficam a $s$ pixels uma da outra e se sobrepõem. A figura abaixo aplica três camadas com
# *stride* 2 a uma imagem **constante**: (a) o *kernel* bilinear $4\times4$; (b) um *kernel* $3\times3$
# com todos os pesos iguais; (c) um *kernel* $4\times4$ sorteado ao acaso. Quais delas você espera que
# devolvam uma imagem constante, e por quê? Escreva a sua previsão na célula abaixo e só então rode a
# figura.

# %% [markdown]
# _Escreva sua resposta aqui._

# %%
plots.checkerboard_demo(factor=2)

# %% [markdown]
# Compare com a sua previsão. O *kernel* bilinear mantém a imagem constante; os outros dois produzem o
# **padrão de xadrez** (*checkerboard artifacts*): uma textura periódica que não existe na imagem.
#
# A conta por trás, numa dimensão: com entrada constante igual a 1, longe das bordas, o pixel de saída
# na fase $p$ ($p = 0, \dots, s-1$) recebe a soma dos pesos $w_p + w_{p+s} + w_{p+2s} + \dots$ do
# *kernel*. A saída é constante quando essa soma é a mesma em todas as fases. Há dois jeitos de falhar:
#
# * **sobreposição desigual**: quando $k$ não é múltiplo de $s$, as fases recebem números diferentes de
#   pesos. O *kernel* uniforme (b) dá soma 2 numa fase e 1 na outra;
# * **pesos desiguais**: mesmo com $k$ múltiplo de $s$, um *kernel* qualquer, como o sorteado (c) ou um
#   aprendido no treino, não tem por que somar o mesmo em cada fase.
#
# A tenda bilinear de tamanho $2s$ soma o mesmo em todas as fases, e a de tamanho $2s-1$ também. Ou
# seja, "$k$ múltiplo de $s$" não é a regra: o que importa é a soma por fase. A célula abaixo faz a conta
# para uma linha de cada *kernel*. É a análise de Odena, Dumoulin e Olah, *Deconvolution and
# Checkerboard Artifacts* (Distill, 2016, <https://distill.pub/2016/deconv-checkerboard/>).

# %%
def tent(size, stride):
    """1-D bilinear weights (a "tent") of a kernel with `size` taps that upsamples `stride` times.

    `bilinear_kernel` builds its 2-D kernel as this tent times itself (rows x columns).
    """
    center = (size - 1) / 2
    return torch.tensor([1 - abs(i - center) / stride for i in range(size)])


def phase_sums(taps, stride):
    """Sum of the kernel taps that land on each output phase, for a constant 1-D input (away from the borders)."""
    return [round(float(taps[phase::stride].sum()), 3) for phase in range(stride)]


torch.manual_seed(0)
for name, taps, stride in [("(a) bilinear, k=4, s=2", tent(4, 2), 2),
                           ("(b) uniform, k=3, s=2", torch.ones(3), 2),
                           ("(c) random, k=4, s=2", torch.rand(4), 2),
                           ("bilinear, k=5, s=3", tent(5, 3), 3),
                           ("bilinear, k=6, s=3", tent(6, 3), 3)]:
    print(f"{name:<23} taps {[round(float(t), 2) for t in taps]} -> sum per phase {phase_sums(taps, stride)}")


# %% [markdown]
# Por isso a camada começa bilinear. Falta escolher o tamanho do *kernel*, e essa parte é sua.
#
# **Deduza antes de programar.** A seção "O tamanho da saída" deu a receita para um fator **par**:
# $k = 2s$ e $p = s/2$. O artigo só usa fatores pares, mas a sua função deve servir para qualquer
# fator, e com $s$ ímpar o $p = s/2$ nem é inteiro. Faça a conta no papel:
#
# 1. na fórmula $n_{out} = (n_{in} - 1)\,s - 2p + k$, exija $n_{out} = s\,n_{in}$ para **qualquer**
#    $n_{in}$. Que relação entre $k$, $p$ e $s$ sobra?
# 2. teste a receita dos pares em $s = 3$: com $k = 6$ e $p = 1$, quantos pixels saem de uma entrada de 7?
# 3. ainda com $s = 3$, ache um par de inteiros $(k, p)$ que cumpra a relação do passo 1 e cuja tenda
#    some o mesmo em todas as fases (olhe a tabela acima);
# 4. escreva $k$ e $p$ como expressões de `factor` que sirvam para os pares e para os ímpares. Dica de
#    Python: `factor % 2` vale 1 nos ímpares e 0 nos pares, e `factor // 2` é a divisão inteira.
#
# A verificação testa fatores pares e ímpares (2, 3 e 4). Se o tamanho sair errado, ela diz em qual fator.
#
# **O exercício.** Complete `make_upsampler(channels, factor, learnable)`: uma `nn.ConvTranspose2d` sem
# viés, com o *kernel* e o *padding* que você deduziu, o peso copiado de `bilinear_kernel` e
# `requires_grad` igual a `learnable`. A função
# `with_learned_upsampling(FCN_AlexNet, learnable)` (já pronta) troca, na sua FCN-AlexNet com *skip*
# `"8s"`, a interpolação das *features* do pool5 (×4, de 1/32 para 1/8) por essa camada; a ampliação
# final continua fixa, como no artigo. O notebook 05 compara as versões aprendida e congelada com a
# interpolação fixa.

# %%
"""Learned upsampling (course exercise): a transposed convolution that starts as bilinear interpolation."""

import torch
import torch.nn.functional as F
from torch import nn

from fcn_course.backbones import ALEXNET_CHANNELS, bilinear_kernel


def make_upsampler(channels, factor, learnable):
    """A ConvTranspose2d that makes maps `factor` times larger and starts as bilinear interpolation.

    Stride `factor`, no bias. The kernel size and the padding are yours to derive: an input of n pixels must
    give exactly factor * n pixels, for an even factor and for an odd one, and the kernel must be a bilinear
    tent that sums the same on every output phase. The weight comes from `bilinear_kernel` (channel i feeds
    only channel i). With `learnable=False` the weight is frozen (requires_grad=False): a fixed bilinear layer.
    """
    raise NotImplementedError("crie a camada que amplia os mapas `factor` vezes e começa como interpolação bilinear; guarde-a em `upsampler`")
    return upsampler


def fit_to_size(x, size):
    """Crop (centre) or pad (repeating the border) `x` [B, C, h, w] to `size` = (H, W).

    A stride-32 map times 4 is not always exactly the size of the stride-8 map (AlexNet's borders), so the
    upsampled map is trimmed or completed by a few pixels, as the FCN paper crops its upsampled scores.
    """
    for axis, target in ((2, size[0]), (3, size[1])):
        extra = x.shape[axis] - target
        if extra > 0:
            x = x.narrow(axis, extra // 2, target)
        elif extra < 0:
            before, after = -extra // 2, -extra - (-extra // 2)
            padding = (before, after, 0, 0) if axis == 3 else (0, 0, before, after)
            x = F.pad(x, padding, mode="replicate")
    return x


def with_learned_upsampling(fcn_class, learnable=True):
    """An FCN class like `fcn_class` (skip "8s" on AlexNet) whose deep features are upsampled by
    `make_upsampler` (x4: from stride 32 to stride 8) instead of `F.interpolate`.

    The final upsampling of the class scores stays fixed bilinear interpolation, as in the FCN paper.
    """

    class FCNWithTransposedConv(fcn_class):
        def __init__(self, num_classes, pretrained=False, skip="8s"):
            super().__init__(num_classes, pretrained=pretrained, skip=skip)
            if self.skip != "8s":
                raise ValueError("the learned-upsampling variant is written for skip='8s' (pool5 -> pool1, x4)")
            self.upsample_deep = make_upsampler(ALEXNET_CHANNELS[32], 4, learnable)

        def forward(self, x):
            shallow = self.backbone1(x)
            deep = fit_to_size(self.upsample_deep(self.backbone2(shallow)), shallow.shape[-2:])
            scores = self.classifier(torch.cat([shallow, deep], dim=1))
            return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)

    FCNWithTransposedConv.__name__ = f"{fcn_class.__name__}_{'Learned' if learnable else 'Frozen'}Upsampling"
    return FCNWithTransposedConv


# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# <details><summary>Dica 1</summary>
#
# A camada que aprende a ampliar é a convolução transposta, `nn.ConvTranspose2d`, com `channels` canais na entrada e na saída e sem bias. Para ampliar `factor` vezes, qual deve ser o stride?
#
# <details><summary>Dica 2</summary>
#
# Na fórmula do tamanho, (n - 1)*stride - 2*padding + kernel, exija que o resultado seja factor*n para todo n: sobra uma relação entre kernel e padding. Para factor = 2, a seção "O tamanho da saída" já deu um par que serve. Para factor = 3, procure na tabela das somas por fase uma tenda que some igual em todas as fases e tenha a paridade que a relação pede.
#
# <details><summary>Dica 3</summary>
#
# O peso inicial vem de `bilinear_kernel` (veja a docstring dela); copiar para um parâmetro exige `torch.no_grad()`, e `learnable` decide se o peso recebe gradiente.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# kernel_size = ...  # uma expressão de factor que sirva para fatores pares e ímpares
# padding = ...  # deduzido da mesma conta
# upsampler = nn.ConvTranspose2d(channels, channels, kernel_size=kernel_size, stride=..., padding=padding, bias=False)
# with torch.no_grad():
#     upsampler.weight.copy_(...)
# upsampler.weight.requires_grad_(...)
# ```
#
# </details></details></details></details>

# %%
checks.check("upsampler");

# %%
for learnable in (False, True):
    variant = with_learned_upsampling(FCN_AlexNet, learnable)(args["n_classes"], skip="8s")
    trainable = count_parameters(variant, trainable_only=True) - count_parameters(
        FCN_AlexNet(args["n_classes"], skip="8s"), trainable_only=True)
    print(f"{type(variant).__name__}: +{thousands(trainable)} trainable parameters beyond FCN_AlexNet(skip='8s')")

# %% [markdown]
# **Pergunta de reflexão A (responda antes de ver o notebook 05).** A camada aprendida tem
# 256 × 256 × 8 × 8 ≈ 4,2 milhões de pesos **treináveis** a mais que a congelada (a congelada tem os
# mesmos pesos, mas eles não mudam), e começa igual a ela. Você espera que ela melhore a mIoU de
# validação, piore ou não mude, com poucas centenas de imagens de treino? Por quê?

# %% [markdown]
# _Escreva sua resposta aqui._

# %%
quiz.ask("bilinear-init")

# %% [markdown]
# ## Exercício 5: classes desequilibradas
#
# No notebook 01 você viu que o fundo ocupa a grande maioria dos pixels. Com a entropia cruzada comum,
# cada pixel pesa o mesmo, então a rede é recompensada sobretudo por acertar o fundo. Dois remédios
# comuns:
#
# * **entropia cruzada ponderada**: cada classe recebe um peso $w_c$ (`nn.CrossEntropyLoss(weight=...)`).
#   Com o *balanceamento pela mediana das frequências* (*median frequency balancing*, de Eigen e Fergus,
#   2015, [arXiv:1411.4734](https://arxiv.org/abs/1411.4734); a SegNet também o usa),
#   $w_c = \text{mediana}(f)/f_c$, em que $f_c$ é a fração dos pixels de treino da classe $c$: as classes
#   raras pesam mais que 1, as comuns menos;
# * **perda de Dice**: $1 - \frac{1}{C}\sum_c \frac{2\sum p_c g_c}{\sum p_c + \sum g_c}$, com $p_c$ a
#   probabilidade prevista (*softmax*) e $g_c$ o rótulo em *one-hot*. Cada classe entra na média com o
#   mesmo peso, seja qual for o seu tamanho. A V-Net (Milletari, Navab e Ahmadi, 2016,
#   [arXiv:1606.04797](https://arxiv.org/abs/1606.04797)), que popularizou essa perda, soma os quadrados
#   $p_c^2$ e $g_c^2$ no denominador; a forma sem quadrados, usada aqui, também é comum.
#
# Uma informação para ter em mente: os autores das FCNs testaram o balanceamento de classes e relataram
# que ele não foi necessário para eles (o fundo ocupa cerca de 3/4 dos pixels do VOC; §4.3, "Class
# Balancing"). O notebook 05 mede o efeito no nosso subconjunto.

# %% [markdown]
# ### Exemplo: pesos pela mediana das frequências, com 3 classes
#
# Suponha que o conjunto de treino tenha 10.000 pixels rotulados (os *void* não entram na conta): 7.000
# de fundo, 2.000 de ônibus e 1.000 de pessoa. O caminho é contagens → frequências → mediana → pesos:
#
# 1. **frequências** $f_c$: cada contagem dividida pelo total, $f = (0{,}7;\ 0{,}2;\ 0{,}1)$;
# 2. **mediana** das frequências: ordenadas, elas ficam $0{,}1 \le 0{,}2 \le 0{,}7$, e a do meio é
#    $0{,}2$;
# 3. **pesos** $w_c = 0{,}2 / f_c$: fundo $0{,}2/0{,}7 \approx 0{,}286$; ônibus $0{,}2/0{,}2 = 1$;
#    pessoa $0{,}2/0{,}1 = 2$.
#
# A classe de frequência mediana fica com peso 1, a comum com menos de 1 e a rara com mais de 1. Repare
# no produto peso × contagem: $0{,}286 \cdot 7000 \approx 2000$, $1 \cdot 2000 = 2000$ e
# $2 \cdot 1000 = 2000$. Com esses pesos, cada classe contribui com o mesmo peso total para a perda,
# como se todas tivessem a frequência mediana. Depois do exercício, `class_weights([7000, 2000, 1000])`
# deve devolver esses três pesos.

# %%
# NBVAL_CHECK_OUTPUT
example_counts = {"background": 7000, "bus": 2000, "person": 1000}
example_total = sum(example_counts.values())
example_freq = {name: count / example_total for name, count in example_counts.items()}
example_median = sorted(example_freq.values())[len(example_freq) // 2]  # 3 classes: the middle one
print(f"total {example_total} labelled pixels; median frequency {example_median:.3f}")
for name, count in example_counts.items():
    weight = example_median / example_freq[name]
    print(f"{name:<12} count {count:5d}  freq {example_freq[name]:.3f}  weight {weight:.3f}"
          f"  weight x count {weight * count:6.0f}")

# %%
quiz.ask("median-frequency")

# %% [markdown]
# ### Exemplo: a perda de Dice numa imagem $2\times2$, com um pixel *void*
#
# Uma imagem de 4 pixels e 3 classes (0 fundo, 1 ônibus, 2 pessoa). Os rótulos e as probabilidades que
# a rede prevê (depois do *softmax*) em cada pixel:
#
# | pixel | rótulo | $p_0$ | $p_1$ | $p_2$ |
# |---|---|---|---|---|
# | (0, 0) | 0 | 0,8 | 0,1 | 0,1 |
# | (0, 1) | 1 | 0,2 | 0,6 | 0,2 |
# | (1, 0) | 2 | 0,1 | 0,3 | 0,6 |
# | (1, 1) | 255 (*void*) | 0,5 | 0,25 | 0,25 |
#
# O pixel *void* sai de **todas** as somas, tanto das probabilidades quanto do *one-hot*. Sobram 3
# pixels, e para cada classe calculamos três números:
#
# * **fundo**: $\sum p_0 g_0 = 0{,}8$ (só o pixel (0, 0) tem rótulo 0); $\sum p_0 = 0{,}8 + 0{,}2 +
#   0{,}1 = 1{,}1$; $\sum g_0 = 1$. Dice $= 2\cdot0{,}8 / (1{,}1 + 1) = 1{,}6/2{,}1 \approx 0{,}762$;
# * **ônibus**: $\sum p_1 g_1 = 0{,}6$; $\sum p_1 = 0{,}1 + 0{,}6 + 0{,}3 = 1{,}0$; $\sum g_1 = 1$.
#   Dice $= 1{,}2/2{,}0 = 0{,}600$;
# * **pessoa**: $\sum p_2 g_2 = 0{,}6$; $\sum p_2 = 0{,}1 + 0{,}2 + 0{,}6 = 0{,}9$; $\sum g_2 = 1$.
#   Dice $= 1{,}2/1{,}9 \approx 0{,}632$.
#
# A média das três é $(0{,}762 + 0{,}600 + 0{,}632)/3 \approx 0{,}664$, e a perda é
# $1 - 0{,}664 \approx 0{,}336$. Se o pixel *void* entrasse como fundo, ele somaria 0,5 à interseção do
# fundo e as suas probabilidades aumentariam os denominadores das três classes: a perda mudaria por
# causa de um pixel sem rótulo verdadeiro.
#
# A célula abaixo refaz a conta com listas do Python. Depois de escrever `dice_loss` no exercício,
# você pode conferi-la neste exemplo: os escores cujo *softmax* dá essas probabilidades são os seus
# logaritmos, e com `eps=0` (sem suavização) a sua função deve dar o mesmo 0,336.

# %%
# NBVAL_CHECK_OUTPUT
example_labels = [0, 1, 2, 255]  # pixels (0, 0), (0, 1), (1, 0), (1, 1)
example_probabilities = [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6], [0.5, 0.25, 0.25]]


def example_dice_terms(labels, probabilities):
    """Per class: (sum(p*g), sum(p), sum(g), Dice) over the non-void pixels, with plain Python sums."""
    kept = [(label, p) for label, p in zip(labels, probabilities) if label != 255]  # void pixels leave
    terms = []
    for c in range(3):
        intersection = sum(p[c] for label, p in kept if label == c)
        sum_p = sum(p[c] for _, p in kept)
        sum_g = sum(1 for label, _ in kept if label == c)
        terms.append((intersection, sum_p, sum_g, 2 * intersection / (sum_p + sum_g)))
    return terms


terms = example_dice_terms(example_labels, example_probabilities)
for c, (intersection, sum_p, sum_g, dice) in enumerate(terms):
    print(f"class {c}: sum(p*g) {intersection:.2f}  sum(p) {sum_p:.2f}  sum(g) {sum_g}  Dice {dice:.3f}")
mean_dice = sum(dice for *_, dice in terms) / 3
print(f"mean Dice {mean_dice:.3f} -> Dice loss {1 - mean_dice:.3f}")

void_as_background = [0 if label == 255 else label for label in example_labels]
wrong_terms = example_dice_terms(void_as_background, example_probabilities)
print(f"with the void pixel counted as background the loss would be "
      f"{1 - sum(dice for *_, dice in wrong_terms) / 3:.3f}")

# %% [markdown]
# **O exercício.** Complete `class_weights(pixel_counts)` (uma classe sem pixels recebe peso 0) e
# `dice_loss(outputs, labels)` (os pixels *void* ficam fora das somas).

# %%
"""Losses for class imbalance (course exercise): class weights from pixel counts, and the Dice loss."""

import torch
import torch.nn.functional as F

VOID_LABEL = 255  # object borders: ignored by every loss


def class_weights(pixel_counts):
    """Median-frequency balancing: weight_c = median(freq) / freq_c, with freq_c = count_c / total.

    A rare class gets a weight above 1, a common one below 1; the class of median frequency gets 1.
    A class with no pixel at all gets weight 0 (there is nothing of it to learn). Returns float32 [C].
    """
    counts = torch.as_tensor(pixel_counts, dtype=torch.float64)
    raise NotImplementedError("calcule os pesos das classes pelo balanceamento da frequência mediana e guarde-os em `weights` (float32)")
    return weights


def dice_loss(outputs, labels, eps=1.0):
    """Soft Dice loss: 1 - mean over classes of 2*sum(p*g) / (sum(p) + sum(g)).

    outputs [B, C, H, W] are class scores (softmax turns them into probabilities p), labels [B, H, W]
    hold class indices (g is their one-hot form). Void pixels (255) are left out of every sum. `eps` keeps
    the ratio defined for a class absent from the batch and smooths the gradient.
    """
    raise NotImplementedError("calcule a perda Dice suave, sem contar os pixels void, e guarde-a em `loss`")
    return loss


# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# **Trecho 1:** calcule os pesos das classes pelo balanceamento da frequência mediana e guarde-os em `weights` (float32)
#
# <details><summary>Dica 1</summary>
#
# A frequência de uma classe é a sua contagem de pixels dividida pelo total; o peso é a mediana das frequências dividida pela frequência da classe.
#
# <details><summary>Dica 2</summary>
#
# Uma classe sem nenhum pixel fica de fora da mediana e recebe peso 0: uma máscara booleana das classes presentes evita a divisão por zero.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# freq = ...
# present = ...  # True nas classes com algum pixel
# weights = ...  # zeros, do tamanho de freq
# weights[present] = ...
# # no fim, converta weights para float32
# ```
#
# </details></details></details>
#
# **Trecho 2:** calcule a perda Dice suave, sem contar os pixels void, e guarde-a em `loss`
#
# <details><summary>Dica 1</summary>
#
# p são as probabilidades (softmax nos canais) e g os rótulos em one-hot, com as classes no eixo 1; para cada classe, some p*g, p e g sobre o lote, a altura e a largura.
#
# <details><summary>Dica 2</summary>
#
# Os pixels void (255) não entram em nenhuma soma: multiplique p e g por uma máscara dos pixels válidos; antes do one-hot troque 255 por uma classe qualquer, senão `F.one_hot` falha.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# valid = ...  # [B, 1, H, W]: True fora do void
# probabilities = ...
# targets = ...  # one-hot [B, C, H, W], zerado no void
# intersection = ...  # [C]
# sizes = ...  # [C]: soma de p mais soma de g
# loss = 1 - ...  # média do Dice das classes, com eps
# ```
#
# </details></details></details>

# %%
checks.check("class-weights");

# %%
checks.check("dice-loss");

# %% [markdown]
# Os pesos que o balanceamento daria ao nosso conjunto de treino:

# %%
train_counts = torch.zeros(args["n_classes"], dtype=torch.int64)
for _, batch_labels in train_loader:
    valid = batch_labels[batch_labels != 255]
    train_counts += torch.bincount(valid.reshape(-1), minlength=args["n_classes"])
for name, count, weight in zip(args["classes"], train_counts.tolist(), class_weights(train_counts).tolist()):
    print(f"{name:<12} {thousands(count):>10} pixels  weight {weight:.3f}")

# %% [markdown]
# ## Desafio (opcional, extra): *focal loss*, ignorando o *void*
#
# Para quem quiser ir além: o desafio não vale nota, e o resto do notebook roda sem ele.
#
# Os pesos por classe do Exercício 5 tratam igual todos os pixels de uma classe. A ***focal loss*** (Lin,
# Goyal, Girshick, He e Dollár, 2017, [arXiv:1708.02002](https://arxiv.org/abs/1708.02002)) pondera cada
# **pixel** pela sua dificuldade: com $p_t$ a probabilidade (*softmax*) que a rede dá à classe certa do
# pixel, a perda do pixel é
#
# $$ -(1 - p_t)^{\gamma}\,\log p_t . $$
#
# Com $\gamma = 0$ ela é a entropia cruzada; com $\gamma > 0$, um pixel que a rede já acerta com folga
# ($p_t$ perto de 1) quase não pesa, e os difíceis dominam. (O artigo acrescenta um peso $\alpha$ por
# classe; aqui ficamos sem ele.)
#
# Escreva `focal_loss(logits, labels, gamma=2.0)`: `logits` `[B, C, H, W]`, `labels` `[B, H, W]` com 255
# nos pixels *void*; devolva a média da perda sobre os pixels que **não** são *void*, como um tensor com
# gradiente. A verificação confere que ela é igual à entropia cruzada com $\gamma = 0$, que ignora o *void*
# e que dá o valor da fórmula com $\gamma = 0{,}5$ e $\gamma = 2$.
#
# Para ir além: por que a *focal loss* poderia ajudar o ônibus mais do que os pesos pela mediana, num
# conjunto em que a maior parte dos pixels de fundo é fácil?

# %%
def focal_loss(logits, labels, gamma=2.0, ignore_index=255):
    """Mean over the non-void pixels of -(1 - p_t)^gamma * log p_t, p_t the softmax probability of the
    pixel's true class (Lin et al., 2017, without the class weight alpha)."""
    raise NotImplementedError("calcule −(1 − p_t)^γ · log p_t em cada pixel e devolva a média sobre os pixels que não são void")


# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# <details><summary>Dica 1</summary>
#
# A entropia cruzada de cada pixel, com `reduction="none"`, já é −log p_t; então p_t = exp(−CE).
#
# <details><summary>Dica 2</summary>
#
# Multiplique a perda de cada pixel pelo fator (1 − p_t)^γ e tire a média só dos pixels cujo rótulo não é `ignore_index` (uma máscara booleana).
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# per_pixel = ...
# valid = ...
# factor = ...
# return ...
# ```
#
# </details></details></details>

# %%
checks.check("focal-loss");

# %% [markdown]
# ## Resumo
#
# * Uma convolução transposta "carimba" o *kernel*, multiplicado por cada pixel da entrada, a cada $s$
#   pixels da saída; onde os carimbos se cruzam, os valores se somam.
# * A saída tem $(n_{in} - 1)\,s - 2p + k + \texttt{output\_padding}$ pixels; o `padding` recorta a saída
#   em vez de acrescentar zeros.
# * Ela multiplica pela transposta da matriz da convolução: devolve o tamanho, não os valores.
# * O xadrez aparece quando as fases da saída recebem somas de pesos diferentes. A tenda bilinear
#   soma o mesmo em todas as fases, por isso a camada começa assim.
# * Pesos pela mediana das frequências fazem cada classe pesar o mesmo no total; a perda de Dice dá a
#   cada classe o mesmo peso na média. Nas duas contas, o *void* fica de fora.
#
# No **notebook 04** você vai repetir a receita do notebook 02 com uma rede mais profunda, a VGG16. No
# **notebook 05** vamos medir se o *upsampling* aprendido e a perda ponderada ajudam de fato.
