# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Abrir no Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/02_fcn_alexnet.ipynb)

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
# <!-- generated from solutions/notebooks/02_fcn_alexnet.py; edit that file, then run python -m fcn_course.instructor build -->
# # 02 · FCN com AlexNet
#
# Para consultar a qualquer momento: a [referência rápida](referencia.md) reúne formas, fórmulas e um glossário
# português ↔ inglês. No Colab, o link acima não abre (lá o notebook fica sozinho, sem os outros arquivos do
# curso): use a [mesma página no GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/referencia.md),
# que é o arquivo `notebooks/referencia.md` do repositório.
#
# No notebook 01 preparamos os dados e as métricas. Agora vamos construir e treinar a primeira
# **Fully Convolutional Network**, usando como *backbone* a AlexNet, a rede que venceu o desafio de
# classificação do ImageNet de 2012 (ILSVRC 2012, *ImageNet Large Scale Visual Recognition Challenge*).
#
# O artigo que seguimos é Long, Shelhamer e Darrell, *Fully Convolutional Networks for Semantic
# Segmentation*, CVPR 2015 ([arXiv:1411.4038](https://arxiv.org/abs/1411.4038)). Quando o texto cita
# "o artigo" com uma seção (§4.3, por exemplo), é a numeração dessa versão do arXiv.
#
# **Ao final deste notebook você consegue**
#
# 1. mostrar, com uma conta, que uma camada totalmente conectada é uma convolução do tamanho do mapa de
#    *features*, e explicar por que isso deixa a rede devolver um mapa de escores em vez de um rótulo;
# 2. dizer o *stride* e o campo receptivo de cada corte da AlexNet que a FCN usa (pool1, pool2, pool5) e
#    calculá-los a partir de `kernel_size`, `stride`, `padding` e `dilation` das camadas;
# 3. calcular o desvio-padrão da inicialização de Kaiming de uma camada e mostrar o que acontece com as
#    ativações quando os pesos começam pequenos ou grandes demais;
# 4. escrever a FCN-AlexNet sem *skip connections* (**Exercício 1**) e com elas (**Exercício 2**) e
#    fazê-las passar nas verificações;
# 5. montar o otimizador dos quatro casos pré-treinada × *skip* e a perda por pixel que ignora o *void*
#    (**Exercício 3**);
# 6. treinar a rede e explicar cada número que o treino imprime (perda, mIoU(fg), tempo por época).
#
# Cada exercício de código é seguido de uma célula de verificação (`checks.…`) que diz, em português, o
# que está certo e o que falta.
#
# **Quanto tempo leva.**
#
# * **Tempo de estudo: ~95 min**: ler com calma (cerca de 40 min), rodar as células, fazer os exercícios
#   1 a 3 e esperar o treino (cerca de 1 min no perfil `demo`). Cabe numa aula de 100 minutos. A convolução
#   transposta e as perdas para classes desequilibradas, que antes ficavam aqui, agora têm o notebook 03.
# * **Tempo de máquina**: o que pesa é o treino. No perfil `demo`, numa CPU de 2 núcleos, cada época da
#   FCN-AlexNet leva uns 3,5 s (12 épocas: menos de um minuto) e o notebook inteiro, com as verificações,
#   pouco mais de 1 minuto (70 s medidos). No perfil `full` são 50 épocas sobre o VOC: veja a tabela
#   *Time budget* do `README.md` (numa GPU como a do Colab, ainda não medido).

# %% [markdown]
# ## Preparação
#
# As mesmas configurações do notebook 01: hiperparâmetros, dispositivo e `DataLoader`s. A saída da célula
# diz qual perfil está rodando (`full`, `demo` ou `smoke`; veja o notebook 01).

# %%
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn
from torchvision import models

from fcn_course import checks, plots, quiz, runs
from fcn_course.backbones import (ALEXNET_CHANNELS, ALEXNET_STRIDE8_END, ALEXNET_STRIDE16_END, bilinear_kernel,
                                  initialize_weights, load_alexnet)
from fcn_course.config import course_args, seed_everything
from fcn_course.data import make_loaders, prepare_data
from fcn_course.engine import count_parameters, fit

# %%
# %matplotlib inline

args = course_args()
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one
print({key: args[key] for key in ("epoch_num", "classes", "pretrained", "skip", "lr", "batch_size",
                                  "h_size", "w_size")})

train_loader, val_loader = make_loaders(args)

# %% [markdown]
# ## Um rótulo por imagem, um rótulo por pixel
#
# Uma CNN de **classificação** dá **um rótulo para a imagem inteira** ("esta foto mostra um ônibus").
# Em **segmentação semântica** queremos **um rótulo por pixel**: é uma **predição densa** (em inglês,
# *dense prediction*, o termo do artigo). A saída da rede deixa de ser um vetor de $C$ escores e passa a ser um tensor
# $[B, C, H, W]$: para cada pixel, um escore por classe. Um `softmax` no eixo 1 dá a distribuição de
# probabilidade das classes em cada pixel, e um `argmax` no mesmo eixo dá o mapa de rótulos $[B, H, W]$.

# %% [markdown]
# ## De CNN de classificação a FCN
#
# Uma CNN clássica (AlexNet, VGG) tem duas partes:
#
# * **camadas convolucionais e de *pooling*** (`model.features`): extraem características; a resolução
#   espacial cai (224 → 6 na AlexNet) e o número de canais cresce;
# * **camadas totalmente conectadas** (FC, `model.classifier`): achatam o mapa de *features* num vetor e
#   produzem um escore por classe. Ao achatar, a rede **joga fora a organização espacial**, e a primeira
#   camada FC só aceita um vetor de tamanho fixo (na AlexNet, $256\times6\times6 = 9216$ números).
#
# Um detalhe do torchvision: na AlexNet e na VGG16 de lá, a imagem não precisa ter um tamanho fixo.
# Entre `features` e `classifier` há um `nn.AdaptiveAvgPool2d`. Ele reduz um mapa de qualquer tamanho a
# $6\times6$ na AlexNet e a $7\times7$ na VGG16; se o mapa for menor, ele repete posições. Mesmo assim,
# a saída continua sendo **um** vetor de escores para a imagem inteira. O *pooling* adaptativo resolve o
# tamanho, mas não devolve a organização espacial.
#
# Long, Shelhamer e Darrell (CVPR 2015) observaram que uma camada FC é só uma convolução cujo filtro
# cobre o mapa de *features* inteiro. Trocando as FC por **convoluções**, a rede fica **totalmente
# convolucional**: aceita imagens de qualquer tamanho e produz um **mapa** de escores, um por região da
# imagem. Falta só ampliar esse mapa até o tamanho da imagem.

# %%
plots.cnn_to_fcn_diagram()

# %% [markdown]
# Vamos ver isso em números: uma camada FC sobre as *features* $256\times6\times6$ da AlexNet (9216
# entradas, 10 saídas) e uma convolução $6\times6$ com **os mesmos pesos** dão os mesmos escores. Mas a
# convolução também funciona num mapa de *features* maior, e aí devolve um mapa de escores.

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
fc = nn.Linear(256 * 6 * 6, 10)
conv = nn.Conv2d(256, 10, kernel_size=6)
with torch.no_grad():
    conv.weight.copy_(fc.weight.view(10, 256, 6, 6))  # each output of the FC layer becomes one 256x6x6 filter
    conv.bias.copy_(fc.bias)

    features = torch.randn(1, 256, 6, 6)
    fc_scores = fc(features.flatten(start_dim=1))
    conv_scores = conv(features)
    print("FC scores:  ", tuple(fc_scores.shape))
    print("conv scores:", tuple(conv_scores.shape))
    print("same values:", torch.allclose(fc_scores, conv_scores.flatten(start_dim=1), atol=1e-5))

    bigger = torch.randn(1, 256, 12, 16)  # the features of a larger image
    print("conv on 256x12x16 features:", tuple(conv(bigger).shape), "-> a 7x11 map of scores")
    print("the FC layer would need exactly", fc.in_features, "inputs, but got", bigger[0].numel())

# %% [markdown]
# ## *Transfer learning*
#
# Aprender do zero as camadas convolucionais de uma AlexNet ou de uma VGG16 é caro: foi o que se fez no
# **ImageNet** (1,2 milhão de imagens), com muito tempo de GPU. As camadas que saem desse treino já sabem
# detectar bordas, texturas e partes de objetos, e isso serve para qualquer tarefa com fotos.
# *Transfer learning* é reaproveitar esse conhecimento: o *backbone* da FCN começa com os pesos do
# ImageNet e só o classificador novo começa aleatório (com a inicialização padrão do PyTorch; a de
# Kaiming, explicada antes dos exercícios 1 e 2, é aplicada quando a rede inteira é treinada do zero).
#
# Na hora de treinar, o classificador novo precisa mudar muito; o *backbone*, só de um ajuste fino
# (*fine-tuning*). Uma escolha comum, e a deste curso (herdada do curso original), é dar ao *backbone*
# pré-treinado uma taxa de aprendizado **10 vezes menor** (`lr × 0.1`), para que atualizações grandes não
# estraguem o que queríamos aproveitar. É uma escolha de projeto, não uma regra: o artigo das FCNs
# ajusta **todas** as camadas com a mesma taxa (SGD com *momentum* 0,9, lotes de 20 imagens, taxa fixa de
# $10^{-4}$ para a FCN-VGG16 e o dobro para os vieses; §4.3, "Optimization"). No notebook 05 você vai ver
# que essa escolha se mistura com o efeito do pré-treino.
#
# Os autores das FCNs não treinaram do zero: eles escrevem que isso "não é viável", considerando o
# **tempo** necessário para aprender as redes de classificação de base (§4.3, "Fine-tuning"), e partem
# sempre de redes pré-treinadas. O motivo que eles dão é tempo de computação, não a quantidade de dados. No nosso caso
# há também pouco dado (o subconjunto tem algumas centenas de imagens de treino, notebook 01); no
# notebook 05 vamos medir quanto o pré-treino faz de diferença.
#
# `load_alexnet(pretrained=True)` carrega os pesos do ImageNet (baixando-os na primeira vez);
# `pretrained=False` cria a rede com pesos aleatórios, sem acessar a internet.

# %% [markdown]
# ## A AlexNet por dentro
#
# Nossa FCN usa só a parte `features` da AlexNet: 5 convoluções e 3 *max-poolings*.

# %%
alexnet_features = load_alexnet(pretrained=False).features
print(alexnet_features)

# %% [markdown]
# Vamos passar uma imagem falsa de $224\times224$ camada por camada e ver o tamanho espacial depois de
# cada uma. A coluna da direita é só a razão entre 224 e o lado do mapa. Ela **não** é o *stride*: as
# convoluções e os *poolings* sem *padding* perdem alguns pixels nas bordas, o mapa fica um pouco menor
# que $224/\text{stride}$ e a razão sai quebrada (4,1; 8,3; 17,2; 37,3).

# %%
# NBVAL_CHECK_OUTPUT
x = torch.zeros(1, 3, 224, 224)
with torch.no_grad():
    for index, layer in enumerate(alexnet_features):
        x = layer(x)
        note = ""
        if index + 1 == ALEXNET_STRIDE8_END:
            note = '  <- end of backbone1 for "8s" (features[:3])'
        elif index + 1 == ALEXNET_STRIDE16_END:
            note = '  <- end of backbone1 for "16s" (features[:6])'
        elif index + 1 == len(alexnet_features):
            note = "  <- end of the backbone (pool5)"
        print(f"{index:2d} {type(layer).__name__:<10} {str(list(x.shape)):<18} 224/{x.shape[-1]} = "
              f"{224 / x.shape[-1]:4.1f}{note}")
print("channels at each stride:", ALEXNET_CHANNELS)

# %% [markdown]
# ### *Stride* e campo receptivo, calculados
#
# O ***stride* acumulado** de um mapa é a distância, em pixels da entrada, entre duas posições vizinhas
# desse mapa: o produto dos *strides* de todas as camadas até ali. O **campo receptivo** é o lado da
# janela da imagem de entrada da qual uma posição do mapa depende. Para cada camada $l$ com *kernel*
# $k_l$, *stride* $s_l$ e dilatação $d_l$, e começando de $S_0 = r_0 = 1$ (um pixel da entrada vê a si
# mesmo):
#
# $$ r_l = r_{l-1} + d_l\,(k_l - 1)\,S_{l-1}, \qquad S_l = S_{l-1}\,s_l . $$
#
# (Um *kernel* de lado $k$ com dilatação $d$ vai $d\,(k-1)$ posições além da primeira no mapa anterior,
# e posições vizinhas desse mapa estão a $S_{l-1}$ pixels uma da outra na entrada.) A célula abaixo
# aplica essas duas fórmulas aos atributos `kernel_size`, `stride`, `padding` e `dilation` das camadas
# de `features` da AlexNet e da VGG16 do torchvision (`weights=None`: nada é baixado) e imprime uma
# linha a cada vez que o *stride* cresce.

# %%
# NBVAL_CHECK_OUTPUT
def first(value):
    """Layer settings may be an int or an (h, w) tuple; our layers are square, so take the first."""
    return value[0] if isinstance(value, tuple) else value


def stride_and_receptive_field(features, input_size=224):
    """Walk a `features` Sequential; yield (index, layer, map size, stride, receptive field) where the stride grows.

    map size: side of the output for a square input of `input_size` pixels;
    stride: input pixels between two neighbouring positions of the map (the product of the strides so far);
    receptive field: side, in input pixels, of the window that one position of the map depends on.
    """
    stride, field, size = 1, 1, input_size
    for index, layer in enumerate(features):
        if not isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            continue  # ReLU and Dropout change neither the size, the stride nor the receptive field
        kernel, step = first(layer.kernel_size), first(layer.stride)
        padding, dilation = first(layer.padding), first(layer.dilation)
        field += dilation * (kernel - 1) * stride  # the kernel's taps are `stride` input pixels apart
        size = (size + 2 * padding - dilation * (kernel - 1) - 1) // step + 1
        stride *= step
        if step > 1:
            yield index, layer, size, stride, field


layer_names = {"AlexNet": ("conv1", "pool1", "pool2", "pool5"),
               "VGG16": ("pool1", "pool2", "pool3", "pool4", "pool5")}
for name, net in (("AlexNet", models.alexnet(weights=None)), ("VGG16", models.vgg16(weights=None))):
    print(f"{name + ', 224x224':<22}{'map':>8}{'224/map':>9}{'stride':>8}{'receptive field':>17}")
    rows = stride_and_receptive_field(net.features)
    for layer_name, (index, layer, size, stride, field) in zip(layer_names[name], rows):
        print(f"  {layer_name} = features[{index:2d}]{f'{size}x{size}':>8}{224 / size:9.1f}{stride:8d}{field:14d} px")

# %% [markdown]
# Os *strides* são exatos: 4, 8, 16 e 32 na AlexNet, como na VGG16. Cada posição do pool5 da AlexNet
# depende de uma janela de $195\times195$ pixels, quase a imagem inteira; na VGG16, de $212\times212$.
# (É o campo receptivo teórico: nas posições perto da borda, parte dessa janela cai no *padding*.)
#
# Três pontos de corte nos interessam:
#
# * depois do **pool1** (`features[:3]`): 64 canais em $27\times27$, *stride* 8, campo receptivo de 19
#   pixels;
# * depois do **pool2** (`features[:6]`): 192 canais em $13\times13$, *stride* 16, campo receptivo de 67
#   pixels;
# * depois do **pool5** (a saída de `features`): 256 canais em $6\times6$, *stride* 32, campo receptivo
#   de 195 pixels.
#
# As constantes `ALEXNET_STRIDE8_END = 3` e `ALEXNET_STRIDE16_END = 6` de `fcn_course.backbones` guardam
# esses índices, e `ALEXNET_CHANNELS` guarda os canais. Repare que uma imagem menor que 63 pixels
# não sobrevive às reduções: a FCN-AlexNet recusa entradas menores que isso.

# %%
quiz.ask("stride-32")

# %% [markdown]
# ## Voltando à resolução da imagem: interpolação bilinear
#
# A saída do *backbone* tem $6\times6$ posições, mas queremos uma classe para cada um dos $224\times224$
# pixels. A forma mais simples de ampliar um mapa é a **interpolação bilinear**: cada pixel novo é uma
# média ponderada dos 4 vizinhos mais próximos do mapa pequeno, com pesos que dependem da distância. Ao
# contrário do "vizinho mais próximo", que produz blocos, o resultado muda suavemente. Em PyTorch:
# `F.interpolate(x, size=(H, W), mode="bilinear", align_corners=False)`. (O curso original usava
# `F.upsample`, que está obsoleta.)

# %%
plots.bilinear_demo()

# %% [markdown]
# No artigo, o *upsampling* é feito por **convoluções transpostas** (`nn.ConvTranspose2d`) com os pesos
# da interpolação bilinear, mas com um tratamento diferente para cada uma:
#
# * as camadas **intermediárias**, que ampliam os escores 2× antes de cada soma com uma *skip* (na
#   FCN-16s e na FCN-8s), são **inicializadas** com a interpolação bilinear e depois **aprendidas** no
#   treino;
# * a camada **final**, que amplia até o tamanho da imagem (×32, ×16 ou ×8), fica **fixa** na
#   interpolação bilinear: os seus pesos não são treinados.
#
# Este curso usa `F.interpolate` nas duas posições, isto é, só interpolação bilinear fixa (o que uma
# convolução transposta calcula por dentro fica para o notebook 03). A função
# `bilinear_kernel` de `fcn_course.backbones` cria os pesos de uma convolução transposta que faz essa
# mesma interpolação. Conferindo (longe das bordas, onde a convolução transposta não tem vizinhos
# suficientes):

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
factor = 2
upsample = nn.ConvTranspose2d(3, 3, kernel_size=2 * factor, stride=factor, padding=factor // 2, bias=False)
with torch.no_grad():
    upsample.weight.copy_(bilinear_kernel(3, 3, 2 * factor))
    scores = torch.randn(1, 3, 8, 8)
    learned = upsample(scores)
    fixed = F.interpolate(scores, scale_factor=factor, mode="bilinear", align_corners=False)
inner = (slice(None), slice(None), slice(factor, -factor), slice(factor, -factor))
print("shapes:", tuple(learned.shape), tuple(fixed.shape))
print("equal away from the borders:", torch.allclose(learned[inner], fixed[inner], atol=1e-5))

# %% [markdown]
# ## Onde fazer o *upsampling*?
#
# O enunciado original pedia para interpolar as ***features*** da AlexNet ($256\times6\times6$) até
# $256\times224\times224$ e só então aplicar o classificador. Funciona, mas é caro: o classificador
# passa a rodar em 50 mil posições em vez de 36. Medimos uma iteração de treino (*forward* + *backward*,
# lote de 8 imagens de 224×224, numa CPU de 2 núcleos) com um classificador feito de uma única
# convolução $1\times1$ (256 → 3 canais): **0,10 s** classificando na resolução das *features* e
# interpolando os escores, contra **0,89 s** interpolando antes os 256 canais das *features*. Com o
# classificador $3\times3$ da próxima célula, a diferença seria muito maior: 0,021 contra 29,6 GMAC
# por imagem, como a célula imprime. (GMAC: bilhões de operações de multiplicar e acumular, em inglês
# *multiply-accumulate*, a conta $a \leftarrow a + w\,x$ de que uma convolução é feita; 1 GMAC são
# $10^9$ dessas contas.)
#
# Neste curso, então, o classificador roda na resolução das *features* e interpolamos os **escores das
# classes** (que têm só $C$ canais). É também o que o artigo faz. E, se o classificador é uma **única**
# convolução $1\times1$, a ordem nem muda o resultado: a convolução $1\times1$ só mistura os canais de
# cada pixel, e a interpolação bilinear só mistura posições vizinhas de cada canal; as duas são lineares
# (e os pesos da interpolação somam 1, então o viés passa intacto), logo comutam. Com ReLUs ou
# convoluções $3\times3$ no meio, as duas ordens dão redes diferentes (igualmente válidas), e ficamos
# com a mais barata.

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
features = torch.randn(1, 256, 7, 7)
score_layer = nn.Conv2d(256, 3, kernel_size=1)
with torch.no_grad():
    classify_then_upsample = F.interpolate(score_layer(features), size=(224, 224), mode="bilinear",
                                           align_corners=False)
    upsample_then_classify = score_layer(F.interpolate(features, size=(224, 224), mode="bilinear",
                                                       align_corners=False))
difference = (classify_then_upsample - upsample_then_classify).abs().max().item()
print("shapes:", tuple(classify_then_upsample.shape), tuple(upsample_then_classify.shape))
print("max difference below 1e-4:", difference < 1e-4)

# Multiply-accumulate operations of a classifier "3x3 conv 256->256, then 1x1 conv 256->3" per image.
macs_per_position = 256 * 256 * 3 * 3 + 256 * 3
for side in (6, 224):
    print(f"classifier on a {side}x{side} map: {side * side * macs_per_position / 1e9:7.3f} GMAC")

# %%
quiz.ask("conv-replaces-fc")

# %% [markdown]
# ## *Skip connections*
#
# Uma FCN sem atalhos aposta que toda a informação espacial necessária sobrevive até o mapa de
# $6\times6$, e depois amplia esse mapa 32 vezes: é a **FCN-32s**. Os contornos saem borrados, e objetos
# pequenos somem. O próprio artigo do FCN propôs ***skip connections***: levar também as *features* de uma
# camada **rasa** (de maior resolução) até o classificador.
#
# * **FCN-16s**: combina a predição feita no fim do *backbone* com uma predição feita a partir do
#   **pool4** (*stride* 16);
# * **FCN-8s**: acrescenta também uma predição feita a partir do **pool3** (*stride* 8).
#
# (Os nomes pool3/pool4 vêm da VGG16, usada no artigo. Na AlexNet, que tem menos *poolings*, os
# equivalentes são o pool1, com *stride* 8, e o pool2, com *stride* 16, exatamente os mesmos *strides*,
# como a tabela calculada acima mostrou.)
#
# Por que ajudam?
#
# 1. **Detalhe espacial**: as camadas profundas sabem *o que* há na imagem, as rasas sabem *onde* estão
#    as bordas; o classificador passa a ver as duas coisas, e o mapa final é mais nítido.
# 2. **Gradientes com caminho mais curto**: o gradiente chega às camadas rasas por um atalho, sem
#    atravessar a rede inteira. O artigo não usa esse argumento (a motivação dele é o item 1), mas é um
#    efeito que você vai reencontrar nas U-Nets e nas ResNets.
#
# Os dois desenhos abaixo usam os tamanhos da AlexNet para uma entrada de $224\times224$: conv1
# $55\times55$, pool1 $27\times27$, pool2 $13\times13$ e pool5 $6\times6$. Sem *skip* (FCN-32s), o
# classificador prevê num mapa de $6\times6$, que é ampliado até $224\times224$. Com *skip* (estilo
# FCN-8s), as *features* do pool5 são ampliadas de $6\times6$ para $27\times27$ e concatenadas às do
# pool1; os escores saem em $27\times27$ e são ampliados até $224\times224$.

# %%
plots.fcn_diagram(skip=False, backbone="alexnet")

# %%
plots.fcn_diagram(skip=True, backbone="alexnet")

# %%
quiz.ask("skip-adds")

# %% [markdown]
# Os números do artigo, em *mean IU* (*mean intersection over union*: é o nome que o artigo dá à mIoU
# do notebook 01, a média das IoUs das 21 classes, em %). A Tabela 1 está na §4.1 do artigo e a
# Tabela 2 na §4.2:
#
# | Modelo | *mean IU* | Conjunto |
# |---|---|---|
# | FCN-AlexNet | 39,8 | VOC2011 val (Tabela 1) |
# | FCN-VGG16 | 56,0 | VOC2011 val (Tabela 1) |
# | FCN-32s-fixed (só a última camada treinada; o resto congelado) | 45,4 | seg11valid (Tabela 2) |
# | FCN-32s | 59,4 | seg11valid (Tabela 2) |
# | FCN-16s | 62,4 | seg11valid (Tabela 2) |
# | FCN-8s | 62,7 | seg11valid (Tabela 2) |
#
# Cuidado ao ler as duas tabelas juntas: a FCN-VGG16 da Tabela 1 (56,0) e a FCN-32s da Tabela 2 (59,4)
# são **a mesma rede**; a legenda da Tabela 2 diz que a FCN-32s é a FCN-VGG16 "renomeada". Os 3,4 pontos
# de diferença vêm de duas mudanças de protocolo, não da arquitetura:
#
# * **mais dados de treino**: as anotações extras do SBD (*Semantic Boundaries Dataset*, Hariharan et
#   al., 2011), com 11.355 imagens, 8.498 de treino e 2.857 de validação; o artigo treina com as 8.498;
# * **outro conjunto de validação**: o seg11valid, 736 imagens da validação do VOC 2011 que não estão no
#   treino do SBD (nota 7 do artigo).
#
# A linha "fixed" mostra que ajustar o *backbone* (*fine-tuning*) vale bem mais do que treinar só a
# última camada. Não espere esses números no curso: usamos 3 classes, menos imagens, menos épocas e
# outra forma de combinar os ramos. O que a tabela diz sobre *backbones* e *skip connections* fica para
# você tirar nos notebooks 04 e 05, onde há perguntas sobre isso.
#
# ### Concatenar ou somar?
#
# O artigo **soma escores de classe**, não *features* (§4.2). Cada ramo produz $C$ canais de escores:
#
# * o pool5 passa pelas antigas camadas totalmente conectadas da VGG16, transformadas em convoluções
#   (`fc6`, $7\times7$, e `fc7`, $1\times1$), e depois por uma convolução $1\times1$ de escores
#   (`score_fr`);
# * o pool4 e o pool3 ganham, cada um, só uma convolução $1\times1$ de escores (`score_pool4`,
#   `score_pool3`).
#
# Esses mapas de escores são somados depois de ampliados (e recortados) para o mesmo tamanho.
#
# Neste curso, como no original, **concatenamos *features*** no eixo dos canais: as *features* rasas e
# as profundas (ampliadas até o tamanho das rasas) viram um único tensor, e o classificador aprende a
# combiná-las. Consequência prática: **a primeira camada do classificador precisa aceitar
# $C_{raso} + C_{profundo}$ canais de entrada**. As duas variantes são válidas; no notebook 04 você
# escreve também a do artigo.

# %%
# NBVAL_CHECK_OUTPUT
shallow = torch.randn(8, 64, 27, 27)  # pool1 of AlexNet ("8s")
deep = torch.randn(8, 256, 6, 6)      # pool5
deep_up = F.interpolate(deep, size=shallow.shape[-2:], mode="bilinear", align_corners=False)
fused = torch.cat([shallow, deep_up], dim=1)  # dim=1 is the channel axis of [B, C, H, W]
print("shallow:", tuple(shallow.shape))
print("deep upsampled:", tuple(deep_up.shape))
print("concatenated:", tuple(fused.shape), "-> 64 + 256 =", 64 + 256, "channels")

first_classifier_layer = nn.Conv2d(64 + 256, 128, kernel_size=1)  # must expect C_skip + C_deep channels
print("after the first classifier layer:", tuple(first_classifier_layer(fused).shape))

# The paper's alternative: class scores from each path (C channels each), then a sum.
num_classes = 3
summed = (nn.Conv2d(64, num_classes, kernel_size=1)(shallow)
          + F.interpolate(nn.Conv2d(256, num_classes, kernel_size=1)(deep), size=(27, 27), mode="bilinear",
                          align_corners=False))
print("paper-style sum of scores:", tuple(summed.shape))

# %% [markdown]
# ## Inicialização dos pesos (Kaiming)
#
# A classe `FCN_AlexNet` dos exercícios 1 e 2 termina com `initialize_weights(self)` quando
# `pretrained=False`. O que essa linha faz, e por quê?
#
# Quando uma camada é treinada **do zero** (sem pesos do ImageNet), seus pesos começam aleatórios. Mas
# não qualquer aleatório: se os pesos forem pequenos demais, o sinal encolhe a cada camada até sumir; se
# forem grandes demais, ele explode. Nos dois casos os gradientes também somem ou explodem, e a rede
# não aprende.
#
# Considere uma camada com $n_{in}$ entradas por neurônio (o *fan-in*; numa convolução
# $k\times k$ com $C_{in}$ canais, $n_{in} = C_{in}\,k^2$), seguida de uma ReLU. Como a ReLU zera
# metade dos valores, ela corta pela metade o segundo momento do sinal. He et al. (2015) mostraram que,
# para compensar e manter a variância das ativações aproximadamente constante de camada em camada,
# basta sortear os pesos com
#
# $$ w \sim \mathcal{N}\!\left(0,\ \sigma^2\right), \qquad \sigma = \sqrt{\frac{2}{n_{in}}} .$$
#
# É a **inicialização de Kaiming** (ou de He; He, Zhang, Ren e Sun, *Delving Deep into Rectifiers*,
# 2015, [arXiv:1502.01852](https://arxiv.org/abs/1502.01852)). A função `initialize_weights` de
# `fcn_course.backbones` a aplica a todas as convoluções e camadas lineares de um módulo (e zera os
# vieses, o atributo `bias`). Vamos conferir numa convolução $3\times3$ com 256 canais de entrada:

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
layer = nn.Conv2d(in_channels=256, out_channels=256, kernel_size=3)
initialize_weights(layer)

fan_in = layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1]
expected_std = (2 / fan_in) ** 0.5
measured_std = layer.weight.std().item()
print(f"fan_in = 256 * 3 * 3 = {fan_in}")
print(f"expected std sqrt(2 / fan_in) = {expected_std:.4f}")
print(f"measured std / expected std   = {measured_std / expected_std:.2f}")
print(f"all biases are zero: {bool((layer.bias == 0).all())}")


# %% [markdown]
# E por que isso importa? Vamos empilhar 15 camadas (linear + ReLU) e medir o desvio-padrão das
# ativações depois de cada uma, comparando a inicialização de Kaiming com pesos sorteados com desvio
# fixo de 0,01 (pequeno demais) e de 0,1 (grande demais).

# %%
def activation_stds(init, depth=15, width=256, seed=0):
    """Std of the activations after each Linear+ReLU layer of a deep stack initialised with `init`."""
    torch.manual_seed(seed)
    x = torch.randn(1024, width)
    stds = []
    for _ in range(depth):
        layer = nn.Linear(width, width)
        init(layer)
        x = torch.relu(layer(x))
        stds.append(x.std().item())
    return stds


def fixed_std_init(std):
    """Normal weights with a fixed std and zero bias, ignoring the fan-in."""
    def init(layer):
        nn.init.normal_(layer.weight, std=std)
        nn.init.zeros_(layer.bias)
    return init


with torch.no_grad():
    results = {
        "Kaiming": activation_stds(initialize_weights),
        "std 0.01": activation_stds(fixed_std_init(0.01)),
        "std 0.1": activation_stds(fixed_std_init(0.1)),
    }
print("layer " + "".join(f"{name:>12}" for name in results))
for depth in (1, 5, 10, 15):
    print(f"{depth:5d} " + "".join(f"{stds[depth - 1]:12.2e}" for stds in results.values()))

# %% [markdown]
# Com Kaiming, o desvio-padrão fica na mesma ordem de grandeza do começo ao fim. Com 0,01 ele encolhe
# cerca de 10× por camada (depois de 15 camadas, praticamente zero); com 0,1 ele cresce a cada camada.
# É por isso que toda FCN treinada do zero neste curso chama `initialize_weights`. Quando o
# *backbone* vem pré-treinado, seus pesos já são bons e **não** são reinicializados; o classificador
# novo fica então com a inicialização padrão do PyTorch.

# %% [markdown]
# ## Exercícios 1 e 2: a FCN-AlexNet
#
# Complete a classe `FCN_AlexNet(num_classes, pretrained=False, skip=False)` na célula abaixo. A
# assinatura, os nomes dos atributos e o `initialize_weights` final já estão prontos; complete os
# trechos que levantam `NotImplementedError`.
#
# **Exercício 1: sem *skip connections*** (`skip=False`, uma FCN-32s)
#
# * `self.backbone`: as camadas convolucionais da AlexNet, `load_alexnet(pretrained).features`. Use
#   sempre `load_alexnet(pretrained)`: ele respeita o argumento `pretrained` e, se os pesos não
#   puderem ser obtidos, explica como resolver.
# * `self.classifier`: um `nn.Sequential` **só com convoluções** (e ReLU/Dropout, se quiser), recebendo
#   256 canais e terminando com `num_classes` canais. Nada de `nn.Linear`!
# * `forward`: *backbone* → classifier → `F.interpolate(..., size=x.shape[-2:], mode="bilinear",
#   align_corners=False)`. Interpole para o tamanho **da entrada** (não para 224 fixo): a rede deve
#   funcionar com qualquer tamanho, inclusive retangular.
#
# **Exercício 2: com *skip connections*** (`skip=True`, que significa `"8s"`, ou `skip="16s"`)
#
# * `self.backbone1`: as *features* da AlexNet até o pool1 (`features[:ALEXNET_STRIDE8_END]`, para
#   `"8s"`) ou até o pool2 (`features[:ALEXNET_STRIDE16_END]`, para `"16s"`);
# * `self.backbone2`: o resto das *features*;
# * `self.classifier`: só convoluções, e a primeira recebe `ALEXNET_CHANNELS[8] + ALEXNET_CHANNELS[32]`
#   canais (ou `ALEXNET_CHANNELS[16] + ALEXNET_CHANNELS[32]`). Como ele roda numa resolução maior,
#   prefira camadas leves ($1\times1$);
# * `forward`: `raso = backbone1(x)`, `profundo = backbone2(raso)`, amplie `profundo` para o tamanho de
#   `raso`, concatene nos canais (`torch.cat(..., dim=1)`), aplique o classificador e amplie os escores
#   até o tamanho de `x`.
#
# Só as partes cujo nome começa com `backbone` recebem pesos do ImageNet: é assim que o otimizador (e a
# biblioteca) sabe o que é *backbone*.

# %%
"""FCN with an AlexNet backbone (course exercise): FCN-32s without skip connections, FCN-8s or FCN-16s with them."""

import torch
import torch.nn.functional as F
from torch import nn

from fcn_course.backbones import (
    ALEXNET_CHANNELS,
    ALEXNET_MIN_INPUT_SIZE,
    ALEXNET_STRIDE8_END,
    ALEXNET_STRIDE16_END,
    initialize_weights,
    load_alexnet,
)


class FCN_AlexNet(nn.Module):
    """Fully Convolutional Network built on the convolutional layers (`features`) of AlexNet.

    skip=False (FCN-32s): backbone -> classifier at 1/32 of the input -> bilinear upsampling to the input.
    skip=True or "8s" (FCN-8s) / "16s" (FCN-16s): backbone1 (up to pool1, 1/8, or pool2, 1/16) ->
    backbone2 (the rest); the deep features are upsampled to the size of the shallow ones and concatenated
    with them on the channel axis before the classifier.
    Output: class scores [B, num_classes, H, W] for an input [B, 3, H, W].
    """

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()

        if skip is True:
            skip = "8s"
        if skip is not False and skip not in ("8s", "16s"):
            raise ValueError(f"skip must be False, True, '8s' or '16s'; got {skip!r}")
        self.skip = skip

        if self.skip:
            raise NotImplementedError("crie self.backbone1, self.backbone2 e self.classifier da versão com skip")
        else:
            raise NotImplementedError("crie self.backbone e self.classifier da versão sem skip")

        if not pretrained:
            initialize_weights(self)

    def forward(self, x):
        height, width = x.shape[-2:]
        if min(height, width) < ALEXNET_MIN_INPUT_SIZE:
            raise ValueError(
                f"FCN_AlexNet needs images of at least {ALEXNET_MIN_INPUT_SIZE}x{ALEXNET_MIN_INPUT_SIZE} pixels "
                f"(AlexNet shrinks them about 32 times); got {height}x{width}"
            )

        if self.skip:
            raise NotImplementedError("calcule os escores da versão com skip e guarde-os em `output` ([B, num_classes, H, W])")
        else:
            raise NotImplementedError("calcule os escores da versão sem skip e guarde-os em `output` ([B, num_classes, H, W])")

        return output

# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# **Trecho 1:** crie self.backbone1, self.backbone2 e self.classifier da versão com skip
#
# <details><summary>Dica 1</summary>
#
# as camadas convolucionais que `load_alexnet` traz formam um `nn.Sequential`: fatiadas com `[:i]` e `[i:]`, dão duas partes que, uma depois da outra, fazem o mesmo que o todo.
#
# <details><summary>Dica 2</summary>
#
# Em '8s' o corte fica no fim do pool1 (`ALEXNET_STRIDE8_END`), em '16s' no fim do pool2 (`ALEXNET_STRIDE16_END`); o classificador recebe os canais da parte rasa mais os da profunda (veja `ALEXNET_CHANNELS`) e termina em num_classes canais.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# features = ...
# split, shallow_channels = ..., ...  # dependem de self.skip
# self.backbone1 = ...
# self.backbone2 = ...
# self.classifier = nn.Sequential(...)  # convoluções 1x1, ReLU, Dropout2d
# ```
#
# </details></details></details>
#
# **Trecho 2:** crie self.backbone e self.classifier da versão sem skip
#
# <details><summary>Dica 1</summary>
#
# O backbone são só as camadas convolucionais da rede: veja o que `load_alexnet` devolve (`print(load_alexnet(False))`) e qual atributo guarda essas camadas.
#
# <details><summary>Dica 2</summary>
#
# O classificador troca as camadas totalmente conectadas por convoluções: uma 3x3 que mantém o tamanho do mapa, ReLU, Dropout2d e uma 1x1 que termina em num_classes canais; os canais de entrada estão em `ALEXNET_CHANNELS[32]`.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# self.backbone = ...
# self.classifier = nn.Sequential(
#     nn.Conv2d(..., ..., kernel_size=3, padding=...),
#     ...,
#     nn.Conv2d(..., num_classes, kernel_size=1),
# )
# ```
#
# </details></details></details>
#
# **Trecho 3:** calcule os escores da versão com skip e guarde-os em `output` ([B, num_classes, H, W])
#
# <details><summary>Dica 1</summary>
#
# O caminho é backbone1 -> backbone2; guarde a saída de backbone1 (a parte rasa): você vai usá-la de novo.
#
# <details><summary>Dica 2</summary>
#
# Para concatenar nos canais (`torch.cat(..., dim=1)`) os mapas precisam ter a mesma altura e largura: amplie o mapa profundo com `F.interpolate` (bilinear) até o tamanho do raso; no fim, amplie os escores até (height, width).
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# shallow = ...
# deep = ...
# deep = F.interpolate(deep, size=..., mode="bilinear", align_corners=False)
# scores = self.classifier(...)
# output = ...
# ```
#
# </details></details></details>
#
# **Trecho 4:** calcule os escores da versão sem skip e guarde-os em `output` ([B, num_classes, H, W])
#
# <details><summary>Dica 1</summary>
#
# Os escores saem do classificador aplicado às features do backbone: um mapa com 1/32 do tamanho da imagem.
#
# <details><summary>Dica 2</summary>
#
# Para ampliar, use `F.interpolate` com `mode="bilinear"` e `align_corners=False`; o tamanho de saída é o da imagem, (height, width).
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# scores = ...  # [B, num_classes, H/32, W/32]
# output = F.interpolate(...)
# ```
#
# </details></details></details>

# %%
checks.check("alexnet-noskip");

# %%
checks.check("alexnet-skip");

# %% [markdown]
# Vamos olhar as duas redes e o tamanho da saída para um lote de imagens do tamanho que vamos usar:

# %%
from fcn_course.messages import thousands  # 3060547 -> "3.060.547", grouped as the notebook's language writes it

for skip in (False, True):
    net = FCN_AlexNet(args["n_classes"], pretrained=False, skip=skip)
    with torch.no_grad():
        out = net(torch.zeros(2, 3, args["h_size"], args["w_size"]))
    print(f"skip={skip}: output {tuple(out.shape)}, {thousands(count_parameters(net))} parameters")
print(net)

# %% [markdown]
# ## Exercício 3: otimizador e função de perda
#
# ### O otimizador
#
# Complete `make_optimizer(net, args)` para os **quatro casos** (`pretrained` × `skip`). O caso
# "pré-treinado sem *skip*" já está pronto e serve de modelo:
#
# * sempre **Adam**, com `lr=args["lr"]`, `weight_decay=args["weight_decay"]` e
#   `betas=(args["momentum"], 0.999)` (o "momentum" do curso é o $\beta_1$ do Adam);
# * *backbone* **pré-treinado**: os parâmetros do *backbone* (`net.backbone`, ou `net.backbone1` e
#   `net.backbone2`) num grupo com `lr = args["lr"] * 0.1`; o `net.classifier` com o `lr` normal;
# * **do zero**: todos os parâmetros com o mesmo `lr` (não há conhecimento prévio a preservar).
#
# ### A função de perda
#
# Segmentação é classificação de pixels, então a perda é a **entropia cruzada**, aplicada a cada pixel
# como se ele fosse um exemplo de classificação:
#
# * `make_criterion()` devolve `nn.CrossEntropyLoss(ignore_index=255)`: os pixels *void* não contam;
# * `compute_loss(outputs, labels, criterion)` recebe os escores `[B, C, H, W]` e os rótulos
#   `[B, H, W]`, achata os escores para `[B·H·W, C]` (uma linha por pixel, uma coluna por classe; use
#   `permute` para levar as classes para o fim antes do `reshape`) e os rótulos para `[B·H·W]`, e
#   aplica o critério.
#
# (A `CrossEntropyLoss` do PyTorch também aceita `[B, C, H, W]` diretamente; aqui achatamos para deixar
# explícito que cada pixel é um exemplo, como pedia o curso original.)

# %%
"""Loss and optimiser for training the FCNs (course exercise)."""

from torch import nn, optim


def make_criterion():
    """Cross-entropy over the pixels; void pixels (label 255, object borders) are ignored."""
    raise NotImplementedError("crie a função de perda da classificação de cada pixel e guarde-a em `criterion`")
    return criterion


def compute_loss(outputs, labels, criterion):
    """Loss of a batch: outputs [B, C, H, W] (class scores), labels [B, H, W] (class indices).

    Each pixel is one classification example, so both are flattened: outputs -> [B*H*W, C] and
    labels -> [B*H*W], as in image classification (one row per example, one column per class).
    """
    raise NotImplementedError("calcule a perda média sobre os pixels do lote e guarde-a em `loss`")
    return loss


def make_optimizer(net, args):
    """Adam for the four cases of the exercise (pretrained or not, with skip connections or not).

    A pretrained backbone already knows useful features, so it is fine-tuned with a 10x smaller
    learning rate than the new classifier. From scratch, every layer uses args['lr'].
    """
    if args['pretrained']:
        if args['skip']:
            # Skip Connections + pretrained.
            raise NotImplementedError("crie o Adam da versão com skip e backbone pré-treinado e guarde-o em `optimizer`")

        else:
            # No Skip Connections + pretrained.
            optimizer = optim.Adam(
                [
                    {'params': net.backbone.parameters(), 'lr': args['lr'] * 0.1},
                    {'params': net.classifier.parameters()},
                ],
                lr=args['lr'],
                weight_decay=args['weight_decay'],
                betas=(args['momentum'], 0.999),
            )
    else:
        if args['skip']:
            # Skip Connections + from scratch.
            raise NotImplementedError("crie o Adam da rede treinada do zero e guarde-o em `optimizer`")

        else:
            # No Skip Connections + from scratch.
            raise NotImplementedError("crie o Adam da rede treinada do zero e guarde-o em `optimizer`")

    return optimizer

# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# **Trecho 1:** crie a função de perda da classificação de cada pixel e guarde-a em `criterion`
#
# <details><summary>Dica 1</summary>
#
# Cada pixel é um problema de classificação entre C classes: a perda é a entropia cruzada do PyTorch (`torch.nn`).
#
# <details><summary>Dica 2</summary>
#
# Os pixels de borda têm rótulo 255 ('void') e não devem contar: procure, na documentação dessa perda, o argumento que ignora um rótulo.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# criterion = nn.CrossEntropyLoss(...)
# ```
#
# </details></details></details>
#
# **Trecho 2:** calcule a perda média sobre os pixels do lote e guarde-a em `loss`
#
# <details><summary>Dica 1</summary>
#
# O `criterion` aceita escores [N, C] e rótulos [N]: trate cada pixel do lote como uma amostra (N = B*H*W).
#
# <details><summary>Dica 2</summary>
#
# Leve o eixo das classes para o fim com `permute` antes do `reshape(-1, C)`: um `reshape` direto de [B, C, H, W] misturaria escores de pixels diferentes.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# num_classes = ...
# outputs_flat = ...  # [B*H*W, C]
# labels_flat = ...  # [B*H*W]
# loss = criterion(..., ...)
# ```
#
# </details></details></details>
#
# **Trecho 3:** crie o Adam da versão com skip e backbone pré-treinado e guarde-o em `optimizer`
#
# <details><summary>Dica 1</summary>
#
# Compare com o caso sem skip logo abaixo: o Adam aceita uma lista de grupos `{'params': ..., 'lr': ...}`, e um grupo sem 'lr' usa o lr geral.
#
# <details><summary>Dica 2</summary>
#
# Aqui as partes pré-treinadas são duas, backbone1 e backbone2, ambas com lr 10 vezes menor; o classifier usa o lr de `args`.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# optimizer = optim.Adam([{'params': ..., 'lr': ...},
#                         ...],
#                        lr=..., weight_decay=..., betas=...)
# ```
#
# </details></details></details>
#
# **Trecho 4:** crie o Adam da rede treinada do zero e guarde-o em `optimizer`
#
# <details><summary>Dica 1</summary>
#
# Do zero não há backbone pré-treinado a preservar: todas as camadas aprendem no mesmo ritmo.
#
# <details><summary>Dica 2</summary>
#
# Um único grupo basta, `net.parameters()`; lr, weight_decay e betas vêm de `args`, como no caso pré-treinado logo acima.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# optimizer = optim.Adam(..., lr=..., weight_decay=..., betas=...)
# ```
#
# </details></details></details>
#
# **Trecho 5:** crie o Adam da rede treinada do zero e guarde-o em `optimizer`
#
# <details><summary>Dica 1</summary>
#
# Do zero não há backbone pré-treinado a preservar: todas as camadas aprendem no mesmo ritmo.
#
# <details><summary>Dica 2</summary>
#
# Um único grupo basta, `net.parameters()`; lr, weight_decay e betas vêm de `args`, como no caso pré-treinado logo acima.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# optimizer = optim.Adam(..., lr=..., weight_decay=..., betas=...)
# ```
#
# </details></details></details>

# %%
checks.check("optimizer");

# %%
checks.check("loss");

# %% [markdown]
# Antes de gastar épocas de treino, um teste rápido com as suas três peças juntas (modelo, otimizador e
# perda): algumas iterações num único lote fácil, em que a perda precisa cair.

# %%
checks.check("training");

# %% [markdown]
# ## Treinamento
#
# ### A rede
#
# Criamos a rede com as configurações de `args` (no perfil `full`: pré-treinada, com *skip*).
#
# Com `pretrained=True`, a biblioteca precisa dos pesos do ImageNet da AlexNet
# (`alexnet-owt-7be5be79.pth`, cerca de 230 MB). Ela procura, nesta ordem: na pasta (ou arquivo)
# indicada pela variável de ambiente `FCN_COURSE_WEIGHTS`; no cache do *torch hub*
# (`~/.cache/torch/hub/checkpoints/`); e, por último, tenta baixá-los. Se nada der certo, você verá um
# `PretrainedWeightsError` listando o que foi tentado e onde colocar o arquivo. Sem internet, basta
# copiar o arquivo para uma dessas pastas (ou usar `pretrained=False`, sabendo que a mIoU será menor).
# A biblioteca **nunca** troca, sem avisar, pesos pré-treinados por pesos aleatórios.

# %%
seed_everything(args["seed"])
net = FCN_AlexNet(args["n_classes"], pretrained=args["pretrained"], skip=args["skip"]).to(args["device"])
print(f"FCN_AlexNet(pretrained={args['pretrained']}, skip={args['skip']}): "
      f"{thousands(count_parameters(net))} parameters on {args['device']}")

# %% [markdown]
# ### Otimizador, perda e o laço de treino
#
# O laço de épocas fica em `fcn_course.engine.fit`. Ele é a dupla `train()`/`validate()` do curso
# original, reescrita para que os números sejam confiáveis: uma matriz de confusão por época (notebook
# 01), pixels *void* ignorados, parada com explicação se a perda virar `NaN`, *checkpoints* e precisão
# mista (*mixed precision*) na GPU. O que ele **não** faz é o seu trabalho: ele recebe a sua rede, o seu
# otimizador e uma função `loss_fn(outputs, labels)` feita com a sua `compute_loss`.
#
# Em `run_dir` ficam o histórico (`history.json`) e os *checkpoints* `last.pt` (para continuar um treino
# interrompido: chame `fit(..., resume=True)` com o mesmo `run_dir`) e `best.pt` (os pesos da época com a
# melhor mIoU de validação). A cada `show_freq` épocas, `fit` mostra as predições no primeiro lote de
# validação.

# %% [markdown]
# ### Como ler o que o treino imprime
#
# Para cada época, uma linha de treino e uma de validação, como no curso original:
#
# * **perda média ± desvio-padrão** (`loss … +/- …`): a média da perda sobre os lotes da época, e
#   quanto ela variou de um lote para outro. A perda de treino deve cair; se a de validação parar de
#   cair (ou subir) enquanto a de treino continua caindo, a rede começou a decorar o treino
#   (*overfitting*).
# * **mIoU(fg)**: a mIoU **sem o fundo** (ônibus e pessoa), calculada com uma única matriz de confusão
#   sobre todos os pixels da época, como vimos no notebook 01. É o número principal; a de validação é a
#   que vale.
# * **tempo** (`time`): segundos gastos na época (útil para estimar quanto vão durar as 50 épocas).
#
# No fim, `fit` informa a melhor mIoU(fg) de validação e em que época ela ocorreu. O histórico guarda
# também, por época, a mIoU com o fundo, a IoU e o Dice de cada classe e a acurácia de pixels.

# %%
optimizer = make_optimizer(net, args)
criterion = make_criterion()


def loss_fn(outputs, labels):
    """The loss the engine calls on every batch."""
    return compute_loss(outputs, labels, criterion)


run_dir = Path(args["runs_dir"]) / runs.run_name("alexnet", args["skip"], args["pretrained"])
print("run folder:", run_dir.resolve())

tic = time.perf_counter()
history = fit(net, train_loader, val_loader, loss_fn, optimizer, args, run_dir=run_dir,
              show=plots.show_epoch_predictions(args["classes"]))
print(f"training took {time.perf_counter() - tic:.0f} s")

# %% [markdown]
# **O que esperar.** No perfil `demo` (VOC sintético, 12 épocas, do zero), a melhor mIoU(fg) de
# validação medida numa CPU de 2 núcleos ficou entre 0,716 e 0,724 em três sementes (com a semente 0,
# a melhor época foi a 11ª de 12). As predições da última figura já parecem segmentações: ônibus inteiros, pessoas
# separadas. A célula depois das curvas imprime as duas medidas do seu treino, a da **última** época e
# a da **melhor**; o notebook 05 explica por que a melhor é otimista. No `smoke` (2 épocas), os números
# servem só para ver que tudo funciona. No VOC real (perfil `full`, pré-treinada), espere uma curva
# parecida mas números diferentes, que este curso ainda não mediu.

# %%
plots.plot_history(history)

# %%
last = history.val[-1]
print(f"validation after epoch {last['epoch']}:")
print(f"  mIoU (fg) {last['miou_fg']:.4f} | mIoU (all) {last['miou']:.4f} | pixel accuracy {last['pixel_acc']:.4f}")
for name, iou, dice in zip(args["classes"], last["iou"], last["dice"]):
    print(f"  {name:<12} IoU {iou:.4f}  Dice {dice:.4f}")
print(f"best validation mIoU (fg): {history.best_miou():.4f} at epoch {history.best_epoch()}")

# %% [markdown]
# ### Predições
#
# Por fim, as predições da rede treinada no primeiro lote de validação: imagem, predição e rótulo
# verdadeiro (*void* em bege).

# %%
images, labels = next(iter(val_loader))
net.eval()
with torch.no_grad():
    outputs = net(images.to(args["device"]))
plots.show_predictions(images, outputs.argmax(dim=1).cpu(), labels, classes=args["classes"])

# %% [markdown]
# ## Desafio (opcional, extra): o menor tamanho de entrada
#
# Para quem quiser ir além: o desafio não vale nota, e o resto do notebook roda sem ele.
#
# A FCN-AlexNet recusa imagens com menos de 63 pixels de lado. De onde vem esse número? Escreva
# `min_input_size(features)`: ela recebe um `nn.Sequential` de camadas (como `models.alexnet().features`) e
# devolve o **menor lado** $n$ de uma entrada $n\times n$ para o qual toda camada produz uma saída não
# vazia. Faça a conta com a fórmula do tamanho, sem rodar a rede: uma camada com *kernel* $k$, *stride*
# $s$, *padding* $p$ e dilatação $d$ transforma um lado $n$ em $\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$,
# e a saída é vazia quando $n + 2p < d(k-1) + 1$. A verificação usa as `features` da AlexNet e da VGG16 e
# uma rede de teste com *padding* e dilatação.
#
# Para ir além: por que uma imagem de 63 pixels produz um mapa de só $1\times1$ no pool5, se o campo
# receptivo de uma posição do pool5 é de 195 pixels?

# %%
def min_input_size(features):
    """The smallest side n of an n x n input for which every Conv2d and MaxPool2d of `features` gives a
    non-empty output (the size formula, without running the network)."""
    raise NotImplementedError("percorra as camadas da última para a primeira, calculando o menor lado que cada uma precisa receber")


# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# <details><summary>Dica 1</summary>
#
# Comece do fim: a última camada precisa produzir pelo menos 1 posição. Qual o menor lado de entrada que dá uma saída de lado m?
#
# <details><summary>Dica 2</summary>
#
# Invertendo a fórmula: para produzir lado m, a camada precisa de uma entrada de lado (m − 1)·s + d·(k − 1) + 1 − 2p (e nunca menos que 1). Aplique isso camada a camada, de trás para a frente, com a função `first` da seção de *stride*.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# side = 1
# layers = ...  # só as Conv2d e MaxPool2d mudam o tamanho
# for ...:  # da última camada para a primeira
#     kernel, step = ...
#     padding, dilation = ...
#     side = ...
# return ...
# ```
#
# </details></details></details>

# %%
checks.check("min-input-size");

# %% [markdown]
# ## Resumo
#
# * Uma FCN reaproveita as convoluções de uma CNN de classificação, troca as camadas FC por
#   convoluções e amplia os escores com interpolação bilinear até o tamanho da imagem.
# * Os cortes da AlexNet têm *stride* exato 8 (pool1), 16 (pool2) e 32 (pool5); o campo receptivo do
#   pool5 é de 195 pixels (212 na VGG16).
# * Neste curso, o *backbone* pré-treinado no ImageNet é ajustado com uma taxa de aprendizado 10× menor;
#   é uma escolha comum, não a do artigo, que ajusta todas as camadas com a mesma taxa (§4.3).
# * Classificar na resolução das *features* e ampliar os escores é muito mais barato do que ampliar as
#   *features*; se o classificador é uma única convolução $1\times1$, as duas ordens dão o mesmo
#   resultado.
# * *Skip connections* trazem detalhe espacial das camadas rasas; concatenando, a camada seguinte recebe
#   $C_{raso} + C_{profundo}$ canais.
# * Camadas treinadas do zero começam com Kaiming: $\sigma = \sqrt{2/n_{in}}$ mantém o sinal estável
#   através das ReLUs.
# * A perda é a entropia cruzada por pixel, ignorando o *void*: `[B, C, H, W] → [B·H·W, C]`.
# Para experimentar: mude `args` (por exemplo `course_args(skip=False)` ou `course_args(skip="16s")`) e
# treine de novo.
#
# **A seguir.** A sua rede ainda amplia os mapas com uma conta fixa e trata todos os pixels igual. No
# **notebook 03** você troca a interpolação por uma camada que aprende a ampliar e ataca o desequilíbrio
# entre o fundo e os objetos (exercícios 4 e 5). Depois, no **notebook 04**, a mesma receita com a VGG16,
# e no **notebook 05** a comparação de todas as combinações.
