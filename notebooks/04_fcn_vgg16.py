# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Abrir no Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/04_fcn_vgg16.ipynb)

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
# <!-- generated from solutions/notebooks/04_fcn_vgg16.py; edit that file, then run python -m fcn_course.instructor build -->
# # 04 · FCN com VGG16 (Exercício 6)
#
# Para consultar a qualquer momento: a [referência rápida](referencia.md) reúne formas, fórmulas e um glossário
# português ↔ inglês. No Colab, o link acima não abre (lá o notebook fica sozinho, sem os outros arquivos do
# curso): use a [mesma página no GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/referencia.md),
# que é o arquivo `notebooks/referencia.md` do repositório.
#
# No notebook 02 você transformou a AlexNet numa FCN. Agora vamos repetir a receita com uma rede mais
# profunda, a **VGG16**: foi com ela que os autores das FCNs (Long, Shelhamer e Darrell, CVPR 2015,
# [arXiv:1411.4038](https://arxiv.org/abs/1411.4038)) obtiveram seus melhores resultados.
#
# | Notebook | Conteúdo |
# |---|---|
# | 01 · Dados e métricas | hiperparâmetros, inicialização de pesos, métricas (IoU, mIoU, Dice), o Pascal VOC 2012 e os `DataLoader`s; exercício 0 |
# | 02 · FCN com AlexNet | teoria das FCNs, inicialização de Kaiming, *upsampling* bilinear, *skip connections*; exercícios 1 e 2 (FCN-AlexNet) e 3 (otimizador e perda), treino e predições |
# | 03 · *Upsampling* aprendido e perdas | convolução transposta e padrão de xadrez; exercícios 4 (*upsampling* aprendido) e 5 (pesos de classe e perda de Dice) |
# | **04 · FCN com VGG16** (este) | exercício 6: a mesma adaptação para uma rede mais profunda, e a cabeça do artigo que soma escores |
# | 05 · Comparação | exercício 7: com e sem *skip connections*, pré-treinada ou do zero; o que veio depois das FCNs |
#
# **Ao final deste notebook você consegue**
#
# 1. apontar, em `features` da VGG16, os cortes pool3, pool4 e pool5 e dizer o *stride* (8, 16 e 32) e
#    o número de canais (256, 512 e 512) de cada um;
# 2. explicar, com os números da Tabela 1 do artigo, por que a VGG16 dá FCNs melhores que a AlexNet, e
#    dizer quanto mais lenta é uma iteração de treino com ela;
# 3. escrever a `FCN_VGG16` sem e com *skip connections* (**Exercício 6**), com a mesma interface da sua
#    `FCN_AlexNet`, e fazê-la passar nas verificações;
# 4. escrever a cabeça do artigo (FCN-8s que **soma escores** de pool3, pool4 e pool5; segunda parte do
#    exercício 6) e explicar por que ela começa com os *skips* zerados;
# 5. contar os parâmetros de cada variante e dizer quantos estão no *backbone* e quantos no
#    classificador;
# 6. treinar a rede com o otimizador e a perda do notebook 02, sem copiá-los, e comparar a curva de mIoU
#    dela com a da FCN-AlexNet.
#
# **Quanto tempo leva.**
#
# * **Tempo de estudo: ~55 min**: ler com calma (cerca de 25 min), rodar as células, fazer as duas partes
#   do exercício 6, esperar o treino (1 a 2 min no perfil `demo`) e responder à pergunta B. Cabe numa aula
#   de 100 minutos.
# * **Tempo de máquina**: cada iteração de treino com a VGG16 custa cerca de 21 vezes o que custa com a
#   AlexNet numa CPU (medido, mais abaixo). Por isso o perfil `demo` dá à VGG16 menos imagens (48),
#   recortes menores (96×96) e uma taxa de aprendizado menor (`lr=3e-4`: do zero e sem *batch norm*, com
#   `1e-3` a perda explode na primeira época); as 10 épocas levam cerca de um minuto numa CPU de 2
#   núcleos. No perfil `full`, treinar a VGG16 sem GPU não é prático: veja a tabela *Time budget* do
#   `README.md`.

# %% [markdown]
# ## Preparação
#
# As importações e os hiperparâmetros, como nos notebooks anteriores. `vgg_args` aplica os ajustes que o
# perfil prevê para a VGG16 (no `demo`: menos imagens, recortes menores, `lr` menor); a saída da célula
# diz qual perfil está rodando.

# %%
import math
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn

from fcn_course import checks, engine, plots, quiz, runs
from fcn_course.backbones import VGG16_CHANNELS, VGG16_STRIDE8_END, VGG16_STRIDE16_END, load_vgg16
from fcn_course.config import course_args, seed_everything, vgg_args
from fcn_course.data import make_loaders, prepare_data
from fcn_course.definitions import load_definitions
from fcn_course.messages import thousands  # 3060547 -> "3.060.547", grouped as the notebook's language writes it

# %%
# %matplotlib inline

args = vgg_args(course_args())  # the profile's settings, reduced where VGG16 needs it (slower per step)
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one
print({key: args[key] for key in ("epoch_num", "classes", "pretrained", "skip", "lr", "batch_size",
                                  "h_size", "w_size")})

# %% [markdown]
# ### Reaproveitando o seu código do notebook 02
#
# O otimizador (`make_optimizer`), o critério (`make_criterion`) e a função de perda
# (`compute_loss`) que você escreveu no notebook 02 servem igualmente para a VGG16: nada neles depende
# do *backbone*. Em vez de copiá-los para cá, nós os **carregamos** do notebook 02 com
# `load_definitions`. Essa função lê o arquivo `02_fcn_alexnet.ipynb` (na mesma pasta deste notebook)
# e executa apenas as células que *definem* coisas (importações, funções, classes e constantes), sem
# treinar nada de novo.
#
# Assim o seu código fica **em um só lugar**: se você corrigir algo no notebook 02 (e salvá-lo), a
# correção vale automaticamente aqui e no notebook 05, e não existem duas versões diferentes da mesma
# função espalhadas pelo curso.

# %%
loaded = load_definitions("02_fcn_alexnet.ipynb", names=["make_optimizer", "compute_loss", "make_criterion"])
make_optimizer = loaded["make_optimizer"]
compute_loss = loaded["compute_loss"]
make_criterion = loaded["make_criterion"]
print("loaded from 02_fcn_alexnet.ipynb:", ", ".join(loaded))

# %% [markdown]
# ## Relembrando a VGG16
#
# A VGG16 (Simonyan e Zisserman, 2014, [arXiv:1409.1556](https://arxiv.org/abs/1409.1556)) segue uma regra simples: só convoluções $3\times3$ (com
# *padding* 1, que preserva o tamanho), cada uma seguida de ReLU, e *max-pooling* $2\times2$ com
# *stride* 2, que divide a altura e a largura por 2. São **13 camadas convolucionais em 5 blocos**,
# cada bloco terminado por um *pooling*, e depois 3 camadas totalmente conectadas (13 + 3 = 16 camadas
# com pesos, daí o nome). Como na AlexNet, a FCN aproveita só a parte convolucional, `features`.
#
# | Bloco | Convoluções | Canais | Termina em | *Stride* acumulado | Tamanho para 224×224 |
# |---|---|---|---|---|---|
# | 1 | conv1_1, conv1_2 | 64 | pool1 | 2 | 112×112 |
# | 2 | conv2_1, conv2_2 | 128 | pool2 | 4 | 56×56 |
# | 3 | conv3_1 … conv3_3 | 256 | **pool3** | **8** | 28×28 |
# | 4 | conv4_1 … conv4_3 | 512 | **pool4** | **16** | 14×14 |
# | 5 | conv5_1 … conv5_3 | 512 | **pool5** | **32** | 7×7 |
#
# As três saídas em negrito são as que interessam às FCNs: **pool5** (*stride* 32) é a saída do
# *backbone* inteiro (FCN-32s); **pool4** (*stride* 16) alimenta a *skip connection* da FCN-16s e
# **pool3** (*stride* 8) a da FCN-8s. Na VGG16, em que todas as convoluções preservam o tamanho, 224
# dividido pelo lado do mapa dá exatamente o *stride*; na AlexNet não dava (notebook 02). O campo
# receptivo do pool5 da VGG16, calculado no notebook 02, é de 212 pixels. Vamos conferir passando uma imagem $224\times224$ pelas camadas de
# `features`, uma a uma, e imprimindo o tamanho depois de cada *pooling*:

# %%
# NBVAL_CHECK_OUTPUT
features = load_vgg16(pretrained=False).features
x = torch.zeros(1, 3, 224, 224)
conv_count = 0
pool_count = 0
with torch.no_grad():
    for index, layer in enumerate(features):
        x = layer(x)
        if isinstance(layer, nn.Conv2d):
            conv_count += 1
        if isinstance(layer, nn.MaxPool2d):
            pool_count += 1
            print(f"pool{pool_count} = features[{index:2d}]: {x.shape[1]:3d} channels, "
                  f"{x.shape[2]:3d}x{x.shape[3]:<3d} (stride {224 // x.shape[2]:2d}), after {conv_count:2d} convs")
print()
print(f"features[:{VGG16_STRIDE8_END}] ends with pool3, features[:{VGG16_STRIDE16_END}] ends with pool4")
print("channels at each stride:", VGG16_CHANNELS)

# %% [markdown]
# As constantes `VGG16_STRIDE8_END`, `VGG16_STRIDE16_END` e `VGG16_CHANNELS` de `fcn_course.backbones`
# guardam esses números: `features[:17]` vai da entrada até o pool3, `features[17:]` é o resto. Elas
# vão ser úteis no exercício.
#
# O desenho da FCN é o mesmo do notebook 02; só o *backbone* muda, e com ele os tamanhos (para uma
# entrada de $224\times224$: pool3 $28\times28$, pool5 $7\times7$):

# %%
plots.fcn_diagram(skip=True, backbone="vgg16")

# %% [markdown]
# ### Por que a VGG16?
#
# No artigo das FCNs, a mesma adaptação foi feita com três redes de classificação. Na Tabela 1 do
# artigo (*mean IU*, o nome que o artigo dá à mIoU, na validação do VOC 2011):
#
# | *Backbone* | *mean IU* | Parâmetros (FCN do artigo) |
# |---|---|---|
# | FCN-AlexNet | 39,8 | 57 M |
# | FCN-VGG16 | **56,0** | 134 M |
#
# (A FCN-GoogLeNet ficou em 42,5.) Trocar só o *backbone* valeu mais de 16 pontos. Por quê?
#
# * **Profundidade**: 13 convoluções contra 5. Cada camada a mais, com sua ReLU, deixa a rede compor
#   padrões mais complexos; as *features* da VGG16 classificam o ImageNet bem melhor (na documentação
#   do torchvision, acurácia top-1 de cerca de 71,6% contra 56,5% da AlexNet), e uma FCN herda a
#   qualidade das *features* do seu *backbone*.
# * **Filtros pequenos**: duas convoluções $3\times3$ enxergam a mesma região que uma $5\times5$, com
#   menos pesos e uma não linearidade a mais no meio.
# * **Menos perda de detalhe logo no começo**: a primeira camada da AlexNet usa filtros $11\times11$ com
#   *stride* 4, que descartam resolução de uma vez; a VGG16 reduz a imagem aos poucos, de 2 em 2.
#
# A desvantagem é o custo: a VGG16 faz muito mais contas por pixel. Numa CPU de 2 núcleos, uma
# iteração de treino com um lote de 8 imagens $224\times224$ levou **2,81 s** com a FCN-VGG16 contra
# **0,132 s** com a FCN-AlexNet, as duas sem *skip connection* (medido com
# `benchmarks/bench_models.py`; veja a tabela de *benchmarks* do `README.md`): cerca de **21 vezes**
# mais lenta. Para treinar no VOC de verdade, use uma GPU (no
# Colab, *Ambiente de execução → Alterar o tipo de ambiente de execução → GPU*).
#
# Uma observação sobre os parâmetros: os 134 M do artigo incluem as camadas `fc6` e `fc7` da VGG16
# transformadas em convoluções (só a `fc6` tem mais de 100 M de pesos). As FCNs deste curso usam um
# classificador convolucional leve no lugar delas, e ficam bem menores (você vai contar logo abaixo).
# O que a VGG16 tem de caro é o **número de operações** nas camadas convolucionais, que trabalham em
# alta resolução.

# %%
quiz.ask("params-vs-compute")

# %% [markdown]
# ## Exercício 6: FCN com VGG16
#
# Implemente a classe `FCN_VGG16(num_classes, pretrained=False, skip=False)`, com **a mesma
# interface** da sua `FCN_AlexNet` do notebook 02. Assim o resto do curso (otimizador, treino,
# comparação) funciona com qualquer uma das duas.
#
# * Use `load_vgg16(pretrained)` de `fcn_course.backbones` e aproveite só o atributo `.features`.
# * **Sem *skip*** (`skip=False`, FCN-32s): `self.backbone` = todas as camadas de `features`;
#   `self.classifier` = só convoluções, a última com `num_classes` canais de saída. No `forward`:
#   *backbone* → classificador → `F.interpolate(..., mode="bilinear")` até o tamanho da entrada.
# * **Com *skip*** (`skip=True` ou `"8s"`, FCN-8s): `self.backbone1` = `features` até o pool3
#   (256 canais, 1/8 da entrada) e `self.backbone2` = o resto (512 canais, 1/32). Com `skip="16s"`
#   (FCN-16s), o corte é no pool4 (512 canais, 1/16). No `forward`: passe pelo `backbone1`, depois
#   pelo `backbone2`; interpole a saída profunda para o tamanho da saída rasa; **concatene** as duas no
#   eixo dos canais (`torch.cat(..., dim=1)`); aplique o classificador (que recebe 256 + 512 = 768
#   canais no caso `"8s"`) e interpole os escores para o tamanho da entrada.
# * Os nomes importam: só os módulos cujo nome começa com `backbone` recebem pesos pré-treinados, e é
#   por esses nomes que o seu `make_optimizer` dá a eles uma taxa de aprendizado 10× menor.
# * O `initialize_weights(self)` final (quando `pretrained=False`) já está no esqueleto, como no
#   notebook 02.
# * A saída deve ter a forma `[B, num_classes, H, W]` para **qualquer** entrada de pelo menos 32×32
#   pixels (a VGG16 divide a imagem por 2 cinco vezes), inclusive tamanhos ímpares e não quadrados.
#
# Dica de custo: com *skip*, o classificador trabalha na resolução do pool3 (28×28 para uma entrada
# 224×224), 16 vezes mais posições que no pool5 (4 vezes no caso "16s", 14×14). Um classificador
# leve, com convoluções $1\times1$, mantém o treino rápido.

# %%
"""FCN with a VGG16 backbone (course exercise): FCN-32s without skip connections, FCN-8s or FCN-16s with them."""

import torch
import torch.nn.functional as F
from torch import nn

from fcn_course.backbones import (
    VGG16_CHANNELS,
    VGG16_MIN_INPUT_SIZE,
    VGG16_STRIDE8_END,
    VGG16_STRIDE16_END,
    initialize_weights,
    load_vgg16,
)


class FCN_VGG16(nn.Module):
    """Fully Convolutional Network built on the convolutional layers (`features`) of VGG16.

    skip=False (FCN-32s): backbone -> classifier at 1/32 of the input -> bilinear upsampling to the input.
    skip=True or "8s" (FCN-8s) / "16s" (FCN-16s): backbone1 (up to pool3, 1/8, or pool4, 1/16) ->
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
        if min(height, width) < VGG16_MIN_INPUT_SIZE:
            raise ValueError(
                f"FCN_VGG16 needs images of at least {VGG16_MIN_INPUT_SIZE}x{VGG16_MIN_INPUT_SIZE} pixels "
                f"(VGG16 halves them 5 times); got {height}x{width}"
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
# as camadas convolucionais que `load_vgg16` traz formam um `nn.Sequential`: fatiadas com `[:i]` e `[i:]`, dão duas partes que, uma depois da outra, fazem o mesmo que o todo.
#
# <details><summary>Dica 2</summary>
#
# Em '8s' o corte fica no fim do pool3 (`VGG16_STRIDE8_END`), em '16s' no fim do pool4 (`VGG16_STRIDE16_END`); o classificador recebe os canais da parte rasa mais os da profunda (veja `VGG16_CHANNELS`) e termina em num_classes canais.
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
# O backbone são só as camadas convolucionais da rede: veja o que `load_vgg16` devolve (`print(load_vgg16(False))`) e qual atributo guarda essas camadas.
#
# <details><summary>Dica 2</summary>
#
# O classificador troca as camadas totalmente conectadas por convoluções: uma 3x3 que mantém o tamanho do mapa, ReLU, Dropout2d e uma 1x1 que termina em num_classes canais; os canais de entrada estão em `VGG16_CHANNELS[32]`.
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

# %% [markdown]
# ### Conferindo a sua implementação
#
# As verificações abaixo criam a sua rede (sem pesos pré-treinados, para não baixar nada), passam
# imagens de tamanhos variados e conferem as formas de saída, o *upsampling*, o uso da *skip connection*
# e o repasse do argumento `pretrained`. Primeiro sem *skip*:

# %%
checks.check("vgg16-noskip");

# %% [markdown]
# E com *skip*:

# %%
checks.check("vgg16-skip");

# %% [markdown]
# Quantos parâmetros tem cada variante? Quase todos estão no *backbone* (as 13 convoluções da VGG16 somam
# cerca de 14,7 M); o classificador é pequeno.

# %%
# NBVAL_CHECK_OUTPUT
for skip in (False, "16s", "8s"):
    net = FCN_VGG16(args["n_classes"], pretrained=False, skip=skip)
    backbone_params, head_params = engine.backbone_and_head_parameters(net)
    n_backbone = sum(p.numel() for p in backbone_params)
    n_head = sum(p.numel() for p in head_params)
    print(f"skip={str(skip):>5}: {(n_backbone + n_head) / 1e6:5.2f} M parameters "
          f"(backbone {n_backbone / 1e6:5.2f} M, classifier {n_head / 1e6:4.2f} M)")
del net

# %% [markdown]
# ### Segunda parte do exercício 6: a cabeça do artigo, somando escores
#
# A sua `FCN_VGG16` com *skip* **concatena *features*** do pool3 (ou do pool4) com as *features* profundas
# ampliadas e classifica o resultado. O artigo faz outra coisa (§4.2): **cada nível prevê escores de
# classe**, e os escores são **somados** depois de ampliados. O pool4 e o pool3 ganham só uma convolução
# $1\times1$ de escores cada um; o pool5 passa antes pelas `fc6`/`fc7` transformadas em convoluções e
# pela `score_fr` (aqui, pelo classificador da sua FCN). Na FCN-8s, os escores do pool5 são ampliados ao
# tamanho do pool4 e somados aos escores do pool4; o resultado é ampliado ao tamanho do pool3 e somado
# aos escores do pool3; por fim, ampliado até a imagem.

# %% [markdown]
# **Antes de escrever, pense e responda (pergunta de reflexão B).** (1) Quantos parâmetros a cabeça do
# artigo acrescenta, nos dois *skips*, com 3 classes? E a concatenação do pool3 na sua `FCN_VGG16`? (2) O
# artigo inicia as convoluções `score_pool3` e `score_pool4` com **zeros**: o que a rede prevê no começo do
# treino, e por que isso é uma boa ideia? (3) Use a Tabela 2 do artigo (no notebook 02) para calcular
# quanto a FCN-16s ganha sobre a FCN-32s e quanto a FCN-8s ganha sobre a FCN-16s. Por que o segundo
# *skip* rende menos que o primeiro?

# %% [markdown]
# _Escreva sua resposta aqui._

# %% [markdown]
# **O exercício.** Complete a `FCN8s_VGG16_Sum`: as duas convoluções $1\times1$ e as somas no `forward`. A
# verificação confere que a saída muda de forma **linear** com `score_pool3` e `score_pool4`, o que só
# acontece quando os escores são somados (sem ReLU nem outra camada depois da soma).

# %%
"""FCN-8s as in the paper (course exercise): class scores from pool3, pool4 and pool5, fused by summation."""

import torch.nn.functional as F
from torch import nn

from fcn_course.backbones import (
    VGG16_CHANNELS,
    VGG16_MIN_INPUT_SIZE,
    VGG16_STRIDE8_END,
    VGG16_STRIDE16_END,
    initialize_weights,
    load_vgg16,
)


class FCN8s_VGG16_Sum(nn.Module):
    """FCN-8s with the paper's head: every level predicts class scores; the scores are added.

    pool5 (1/32) -> classifier -> C scores; upsampled to pool4's size and added to score_pool4(pool4);
    upsampled to pool3's size and added to score_pool3(pool3); upsampled to the input. score_pool3 and
    score_pool4 are 1x1 convolutions with C outputs (the paper starts them at zero, so training begins
    from the FCN-32s prediction). Output: class scores [B, C, H, W].
    """

    def __init__(self, num_classes, pretrained=False):
        super().__init__()
        features = load_vgg16(pretrained).features
        self.to_pool3 = features[:VGG16_STRIDE8_END]  # 256 channels, 1/8
        self.to_pool4 = features[VGG16_STRIDE8_END:VGG16_STRIDE16_END]  # 512 channels, 1/16
        self.to_pool5 = features[VGG16_STRIDE16_END:]  # 512 channels, 1/32
        self.classifier = nn.Sequential(
            nn.Conv2d(VGG16_CHANNELS[32], 512, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Dropout2d(0.5),
            nn.Conv2d(512, num_classes, kernel_size=1),
        )
        raise NotImplementedError("crie as camadas que dão escores de classe ao pool4 e ao pool3: self.score_pool4 e self.score_pool3")
        if not pretrained:
            initialize_weights(self)
        for layer in (self.score_pool4, self.score_pool3):
            nn.init.zeros_(layer.weight)  # as in the paper: the skips start silent
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        height, width = x.shape[-2:]
        if min(height, width) < VGG16_MIN_INPUT_SIZE:
            raise ValueError(
                f"FCN8s_VGG16_Sum needs images of at least {VGG16_MIN_INPUT_SIZE}x"
                f"{VGG16_MIN_INPUT_SIZE} pixels; got {height}x{width}"
            )
        pool3 = self.to_pool3(x)
        pool4 = self.to_pool4(pool3)
        pool5 = self.to_pool5(pool4)
        raise NotImplementedError("combine os escores do pool5, do pool4 e do pool3 (FCN-8s) e guarde o resultado em `output`")
        return output


# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# **Trecho 1:** crie as camadas que dão escores de classe ao pool4 e ao pool3: self.score_pool4 e self.score_pool3
#
# <details><summary>Dica 1</summary>
#
# Um escore por classe em cada pixel, sem olhar os vizinhos: que tamanho de kernel faz isso?
#
# <details><summary>Dica 2</summary>
#
# Os canais de entrada estão em `VGG16_CHANNELS`, cujo índice é o stride (16 para o pool4, 8 para o pool3); a saída tem num_classes canais.
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# self.score_pool4 = nn.Conv2d(..., ..., kernel_size=...)
# self.score_pool3 = ...
# ```
#
# </details></details></details>
#
# **Trecho 2:** combine os escores do pool5, do pool4 e do pool3 (FCN-8s) e guarde o resultado em `output`
#
# <details><summary>Dica 1</summary>
#
# Comece pelos escores do classifier sobre o pool5 e suba um nível de cada vez: pool4, depois pool3.
#
# <details><summary>Dica 2</summary>
#
# Em cada nível, amplie os escores até o tamanho do mapa daquele nível (`F.interpolate`, bilinear) e SOME os escores dele (não concatene); no fim, amplie até (height, width).
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# scores = ...  # [B, C, H/32, W/32]
# scores = F.interpolate(scores, size=..., mode="bilinear", align_corners=False)
# scores = scores + ...
# ...  # o mesmo para o pool3
# output = ...
# ```
#
# </details></details></details>

# %%
checks.check("vgg16-scoresum");

# %%
# NBVAL_CHECK_OUTPUT
paper_head = FCN8s_VGG16_Sum(args["n_classes"])
concat_head = FCN_VGG16(args["n_classes"], pretrained=False, skip="8s")
print(f"score layers of the paper's head: "
      f"{thousands(sum(p.numel() for p in [*paper_head.score_pool3.parameters(), *paper_head.score_pool4.parameters()]))} "
      f"parameters")
print(f"whole networks: paper's FCN-8s {engine.count_parameters(paper_head) / 1e6:.2f} M, "
      f"concatenation FCN-8s {engine.count_parameters(concat_head) / 1e6:.2f} M")
del paper_head, concat_head

# %% [markdown]
# Compare com a sua resposta à parte (1) da pergunta B: as duas camadas de escores somam poucos milhares
# de parâmetros, enquanto a concatenação põe o classificador inteiro sobre 256 + 512 canais. Nas redes
# inteiras a ordem se inverte, mas por outro motivo: o pool5 da cabeça do artigo passa por um
# classificador $3\times3$ de 512 canais, bem maior que o classificador $1\times1$ da concatenação.

# %%
quiz.ask("pretrained-change")

# %% [markdown]
# ## Treinando a FCN-VGG16
#
# Agora o treino, com as mesmas peças do notebook 02: os `DataLoader`s do notebook 01, o seu
# critério, a sua perda e o seu otimizador, e a função `engine.fit`, que alterna uma época de treino
# com uma de validação e salva os *checkpoints*.
#
# A configuração vem de `args`: no perfil `full`, *backbone* **pré-treinado** no ImageNet e **com *skip
# connection*** (`pretrained=True`, `skip=True`), como no curso original. Isso exige os pesos da VGG16
# (`vgg16-397923af.pth`, cerca de 530 MB), baixados automaticamente na primeira vez. Sem internet, a
# criação da rede para com uma mensagem que explica onde colocar o arquivo; se preferir treinar do zero,
# use `args["pretrained"] = False` (e espere uma mIoU bem menor). Nos perfis `demo` e `smoke`, a rede é
# treinada do zero, sem download.

# %%
train_loader, val_loader = make_loaders(args)
print(f"batches per epoch: train {len(train_loader)}, val {len(val_loader)}")

criterion = make_criterion()


def loss_fn(outputs, labels):
    """The loss that engine.fit calls: your compute_loss with your criterion."""
    return compute_loss(outputs, labels, criterion)


# %% [markdown]
# Como no notebook 02, o treino é gravado numa pasta própria dentro de `runs/` (ao lado deste notebook):
# `history.json` (as métricas de cada época), `last.pt` (tudo para continuar o treino) e `best.pt` (os
# pesos da época com a melhor mIoU de validação). Se a sessão cair no meio do treino (acontece no
# Colab), recrie a rede e o otimizador e chame `engine.fit(..., resume=True)` com a mesma pasta: o
# treino continua da última época salva.

# %%
seed_everything(args["seed"])
net = FCN_VGG16(args["n_classes"], pretrained=args["pretrained"], skip=args["skip"]).to(args["device"])
optimizer = make_optimizer(net, args)
print(f"FCN_VGG16(pretrained={args['pretrained']}, skip={args['skip']}): "
      f"{thousands(engine.count_parameters(net))} parameters on {args['device']}")

runs_dir = args["runs_dir"]
run_dir = runs_dir / runs.run_name("vgg16", args["skip"], args["pretrained"])
print("run folder:", run_dir.resolve())

history = engine.fit(net, train_loader, val_loader, loss_fn, optimizer, args, run_dir=run_dir,
                     show=plots.show_epoch_predictions(args["classes"]))

# %% [markdown]
# ### Curvas de aprendizado
#
# A perda de treino deve cair época após época. A mIoU de validação (sem o fundo) é o que importa: se
# ela para de subir enquanto a perda de treino continua caindo, a rede começou a decorar o conjunto de
# treino (*overfitting*).

# %%
plots.plot_history(history)

# %% [markdown]
# ### Predições do melhor modelo
#
# Carregamos os pesos da melhor época (`best.pt`) e olhamos algumas imagens de validação: imagem,
# predição e rótulo verdadeiro. A célula imprime a mIoU(fg) da melhor época e a da última: a primeira foi
# escolhida olhando a própria validação, e por isso é otimista (notebook 05).

# %%
checkpoint = engine.load_checkpoint(runs.checkpoint_path(run_dir, "best"), net, map_location=args["device"])
print(f"best epoch: {checkpoint['epoch']}, val mIoU(fg) {checkpoint['metrics']['miou_fg']:.4f}")
print(f"last epoch: {history.val[-1]['epoch']}, val mIoU(fg) {history.val[-1]['miou_fg']:.4f}")

images, labels = next(iter(val_loader))
net.eval()
with torch.no_grad():
    predictions = net(images.to(args["device"])).argmax(dim=1).cpu()
plots.show_predictions(images, predictions, labels, classes=args["classes"])

# %% [markdown]
# ## Comparando com a FCN-AlexNet do notebook 02
#
# Se você treinou a FCN-AlexNet no notebook 02 com as mesmas configurações, o histórico dela está
# gravado em `runs/`. A célula abaixo procura esse histórico e, se o encontrar, desenha as
# duas curvas de mIoU de validação lado a lado (se não encontrar, apenas avisa).
#
# Lembre-se de que, no perfil `demo`, a VGG16 treinou com menos imagens, recortes menores e outra taxa de
# aprendizado que a AlexNet (medido numa CPU de 2 núcleos, semente 0, melhor época de validação: VGG16
# com *skip* 0,654 de mIoU(fg), AlexNet com *skip* 0,724): a comparação entre *backbones* não é justa ali, e no `smoke` (2 épocas) não diz nada. A comparação
# sistemática, com as oito combinações de *backbone*, *skip* e pré-treino, é o assunto do notebook 05.

# %%
alexnet_history_path = runs.history_path(runs_dir / runs.run_name("alexnet", args["skip"], args["pretrained"]))
if alexnet_history_path.is_file():
    alexnet_history = engine.History.load(alexnet_history_path)
    figure, ax = plt.subplots(figsize=(6, 3.6))
    for name, run_history in (("FCN-AlexNet", alexnet_history), ("FCN-VGG16", history)):
        scores = [math.nan if value is None else value for value in run_history.values("val", "miou_fg")]
        ax.plot(run_history.values("val", "epoch"), scores, "o-", label=name)
        print(f"{name:<12} best val mIoU(fg) {run_history.best_miou():.4f} "
              f"(epoch {run_history.best_epoch()} of {len(run_history)})")
    ax.set(xlabel="época", ylabel="mIoU(fg) de validação", title=f"{run_dir.name} contra a AlexNet")
    ax.grid(alpha=0.3)
    ax.legend()
    plt.show()
else:
    print(f"No FCN-AlexNet history at {alexnet_history_path}: run the training of notebook 02 "
          "with the same settings to compare.")

# %% [markdown]
# ## Desafio (opcional, extra): quantas contas cada rede faz?
#
# Para quem quiser ir além: o desafio não vale nota, e o resto do notebook roda sem ele.
#
# Um passo de treino da FCN-VGG16 levou cerca de 21 vezes o da FCN-AlexNet, e o número de parâmetros não
# explica isso (reveja o teste rápido do começo do notebook). Meça o custo de verdade: escreva
# `count_multiply_adds(features, side)`, que devolve quantas **multiplicações-e-somas** as camadas
# `nn.Conv2d` de `features` fazem para uma entrada de `side`×`side` pixels. Para cada posição da saída e
# cada canal de saída, uma convolução faz (canais de entrada / grupos) × (área do *kernel*)
# multiplicações-e-somas. Ignore os vieses, as ReLUs e os *poolings* na conta, mas não no tamanho: os
# *poolings* reduzem o mapa que as convoluções seguintes recebem. A verificação usa as `features` da AlexNet
# e da VGG16 em $224\times224$ e uma rede de teste em $97\times97$.
#
# Para ir além: quanto dá a razão VGG16/AlexNet, e como ela se compara com os 21 vezes medidos? Qual
# camada da VGG16 custa mais, e por quê?

# %%
def count_multiply_adds(features, side):
    """Multiply-adds of the Conv2d layers of `features` for a side x side input (biases, ReLU and pooling
    left out of the count; pooling still shrinks the map the next convolutions see)."""
    raise NotImplementedError("acompanhe o lado do mapa camada a camada e some as multiplicações-e-somas de cada convolução")


# %% [markdown]
# **Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)
#
# <details><summary>Dica 1</summary>
#
# O lado do mapa muda em cada `nn.Conv2d` e em cada `nn.MaxPool2d`, pela fórmula ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 do notebook 02; as outras camadas não o mudam.
#
# <details><summary>Dica 2</summary>
#
# Depois de calcular o lado da saída de uma convolução, some lado² × out_channels × (in_channels / groups) × área do kernel; os atributos da camada (`kernel_size`, `stride`...) podem ser tuplas (altura, largura).
#
# <details><summary>Esqueleto (complete os `...`)</summary>
#
# ```python
# total = ...
# for ...:  # cada camada de features
#     ...  # pule as camadas que não mudam o tamanho
#     side = ...
#     ...  # numa convolução, some a conta dela em total
# return ...
# ```
#
# </details></details></details>

# %%
checks.check("multiply-adds");

# %% [markdown]
# ## Resumo
#
# * A VGG16 tem 13 convoluções $3\times3$ em 5 blocos; pool3, pool4 e pool5 têm *stride* 8, 16 e 32
#   e 256, 512 e 512 canais.
# * A FCN-VGG16 usa a mesma receita da FCN-AlexNet: `features` como *backbone*, classificador só com
#   convoluções, *upsampling* bilinear; com *skip*, corta-se `features` no pool3 (FCN-8s) ou no pool4
#   (FCN-16s) e concatenam-se as duas saídas.
# * No artigo, trocar a AlexNet pela VGG16 levou a *mean IU* (mIoU) de 39,8 para 56,0; em troca, cada
#   iteração de treino custa muito mais (numa CPU de 2 núcleos, cerca de 21 vezes mais: 2,81 s contra
#   0,132 s).
# * O seu otimizador e a sua perda vieram do notebook 02 com `load_definitions`: o código fica num só
#   lugar.
#
# No **notebook 05**, vamos comparar de forma controlada as oito variantes: AlexNet ou VGG16, com ou
# sem *skip*, pré-treinada ou do zero.
